using System.Text;
using FluentValidation;

namespace ZonaIntegritas.Api.Http;

/// <summary>
/// Runs the FluentValidation validator of every handler argument that has one and answers 400 ValidationProblem,
/// keyed by the camelCase JSON path of the field (<c>units[3].head.nip</c>). Attached to route groups.
/// </summary>
public static class ValidationFilter
{
    public static TBuilder WithValidation<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder
    {
        builder.AddEndpointFilterFactory((context, next) =>
        {
            var services = context.ApplicationServices;
            var validated = context.MethodInfo.GetParameters()
                .Select((parameter, index) => (index, validatorType: typeof(IValidator<>).MakeGenericType(parameter.ParameterType)))
                .Where(p => services.GetService(p.validatorType) is not null)
                .ToArray();
            if (validated.Length == 0)
            {
                return next;
            }
            return async invocation =>
            {
                Dictionary<string, string[]>? errors = null;
                foreach (var (index, validatorType) in validated)
                {
                    if (invocation.Arguments[index] is not { } argument)
                    {
                        continue;
                    }
                    var validator = (IValidator)invocation.HttpContext.RequestServices.GetRequiredService(validatorType);
                    var result = await validator.ValidateAsync(new ValidationContext<object>(argument), invocation.HttpContext.RequestAborted);
                    if (!result.IsValid)
                    {
                        errors ??= [];
                        foreach (var (field, messages) in Errors(result.Errors))
                        {
                            errors[field] = messages;
                        }
                    }
                }
                return errors is null ? await next(invocation) : TypedResults.ValidationProblem(errors);
            };
        });
        return builder;
    }

    /// <summary>
    /// Failures grouped by field, each named by its JSON path; <paramref name="prefix"/> places them inside a larger body
    /// (<c>answers[2].</c>) when one element is validated on its own.
    /// </summary>
    public static Dictionary<string, string[]> Errors(IEnumerable<FluentValidation.Results.ValidationFailure> failures, string prefix = "") =>
        failures.GroupBy(e => prefix + JsonPath(e.PropertyName)).ToDictionary(g => g.Key, g => g.Select(e => e.ErrorMessage).Distinct().ToArray());

    /// <summary><c>Units[3].Head.Nip</c> becomes <c>units[3].head.nip</c>.</summary>
    public static string JsonPath(string propertyPath)
    {
        var builder = new StringBuilder(propertyPath.Length);
        var startOfSegment = true;
        foreach (var c in propertyPath)
        {
            builder.Append(startOfSegment ? char.ToLowerInvariant(c) : c);
            startOfSegment = c == '.';
        }
        return builder.ToString();
    }
}
