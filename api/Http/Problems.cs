namespace ZonaIntegritas.Api.Http;

/// <summary>The ProblemDetails answers handlers give, worded the same way everywhere.</summary>
public static class Problems
{
    public static ProblemHttpResult NotFound(string what, Guid id) =>
        TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Not Found", detail: $"{what} '{id}' was not found.");

    public static ProblemHttpResult NotFound(string detail) =>
        TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Not Found", detail: detail);

    public static ProblemHttpResult Conflict(string detail, IDictionary<string, object?>? extensions = null) =>
        TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Conflict", detail: detail, extensions: extensions);

    public static ProblemHttpResult Forbidden(string detail) =>
        TypedResults.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Forbidden", detail: detail);

    public static ValidationProblem Invalid(string field, string message) =>
        TypedResults.ValidationProblem(new Dictionary<string, string[]> { [field] = [message] });

    public static ValidationProblem Invalid(IDictionary<string, string[]> errors) => TypedResults.ValidationProblem(errors);

    /// <summary>A validator's failures, each named by its JSON path exactly as the validation filter names them.</summary>
    public static ValidationProblem Invalid(FluentValidation.Results.ValidationResult result, string prefix = "") =>
        TypedResults.ValidationProblem(ValidationFilter.Errors(result.Errors, prefix));

    /// <summary>422: the request is well formed but the resource's state refuses it; extensions name what refused it.</summary>
    public static ProblemHttpResult Unprocessable(string detail, IDictionary<string, object?>? extensions = null, string title = "Unprocessable Content") =>
        TypedResults.Problem(statusCode: StatusCodes.Status422UnprocessableEntity, title: title, detail: detail, extensions: extensions);

    /// <summary>422 for a well-formed value the current state refuses, naming the field as a validation problem would.</summary>
    public static ProblemHttpResult UnprocessableField(string field, string message) =>
        Unprocessable(message, new Dictionary<string, object?> { ["errors"] = new Dictionary<string, string[]> { [field] = [message] } });

    /// <summary>410: what the request points at existed but is gone for good (events deleted by retention); extensions say what is left.</summary>
    public static ProblemHttpResult Gone(string detail, IDictionary<string, object?>? extensions = null) =>
        TypedResults.Problem(statusCode: StatusCodes.Status410Gone, title: "Gone", detail: detail, extensions: extensions);

    /// <summary>Writes a problem from middleware or an authentication handler, where no endpoint result is returned.</summary>
    public static ValueTask WriteAsync(HttpContext context, int status, string title, string detail)
    {
        context.Response.StatusCode = status;
        return context.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            ProblemDetails = new Microsoft.AspNetCore.Mvc.ProblemDetails { Status = status, Title = title, Detail = detail },
        });
    }
}
