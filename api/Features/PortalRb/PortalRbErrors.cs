using System.Text.Json.Serialization;

namespace ZonaIntegritas.Api.Features.PortalRb;

/// <summary>The contract's error body: every non-2xx answer of the PortalRB endpoints, never ProblemDetails.</summary>
public sealed record PortalRbError(
    [property: JsonPropertyName("error")] bool Error,
    [property: JsonPropertyName("code")] string Code,
    [property: JsonPropertyName("message")] string Message);

public static class PortalRbErrors
{
    public const string Unauthorized = "UNAUTHORIZED";
    public const string Forbidden = "FORBIDDEN";
    public const string DataNotFound = "DATA_NOT_FOUND";
    public const string InvalidRequest = "INVALID_REQUEST";
    public const string RateLimited = "RATE_LIMITED";
    public const string InternalError = "INTERNAL_ERROR";

    public static JsonHttpResult<PortalRbError> NotFound(string message) => Of(StatusCodes.Status404NotFound, message);

    public static JsonHttpResult<PortalRbError> Invalid(string message) => Of(StatusCodes.Status422UnprocessableEntity, message);

    public static JsonHttpResult<PortalRbError> Of(int status, string message) =>
        TypedResults.Json(new PortalRbError(true, CodeFor(status), message), statusCode: status);

    /// <summary>The contract's code for a status; statuses it does not list are answered as the nearest one it does.</summary>
    public static string CodeFor(int status) => status switch
    {
        401 => Unauthorized,
        403 => Forbidden,
        404 => DataNotFound,
        429 => RateLimited,
        >= 500 => InternalError,
        _ => InvalidRequest,
    };

    /// <summary>The pull endpoints (not the evidence pages, which answer browsers in HTML).</summary>
    public static bool IsPullRequest(HttpContext context) =>
        context.Request.Path.StartsWithSegments(PortalRbOptions.BasePath, out var rest) && !rest.StartsWithSegments(EvidencePage.Segment);
}

/// <summary>
/// Writes problems raised under the PortalRB base path (401/403 from authentication, 429 from rate limiting, 400 from
/// binding, 404/405 from routing, 500 from the exception handler) in the contract's shape. Registered ahead of the
/// default ProblemDetails writer; everywhere else it stays out of the way.
/// </summary>
public sealed class PortalRbProblemWriter : IProblemDetailsWriter
{
    public bool CanWrite(ProblemDetailsContext context) => PortalRbErrors.IsPullRequest(context.HttpContext);

    public ValueTask WriteAsync(ProblemDetailsContext context)
    {
        var response = context.HttpContext.Response;
        // The contract knows 422 for a bad request, not 400.
        var status = response.StatusCode == StatusCodes.Status400BadRequest ? StatusCodes.Status422UnprocessableEntity : response.StatusCode;
        response.StatusCode = status;
        var problem = context.ProblemDetails;
        var message = problem.Detail ?? problem.Title ?? "The request could not be answered.";
        if (problem is Microsoft.AspNetCore.Http.HttpValidationProblemDetails { Errors.Count: > 0 } validation)
        {
            message = string.Join(" ", validation.Errors.SelectMany(f => f.Value.Select(m => $"{f.Key}: {m}")));
        }
        return new ValueTask(response.WriteAsJsonAsync(new PortalRbError(true, PortalRbErrors.CodeFor(status), message)));
    }
}
