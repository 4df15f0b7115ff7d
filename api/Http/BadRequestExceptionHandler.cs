using System.Collections;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.WebUtilities;

namespace ZonaIntegritas.Api.Http;

/// <summary>
/// Turns the framework's binding failures (malformed JSON, wrong content type, oversized body, unparsable query values)
/// into ProblemDetails that name the field and the JSON type expected there, instead of a bare status code. Messages never
/// carry .NET type names: the expected type is worked out from the endpoint's body type along the JSON path.
/// </summary>
public sealed partial class BadRequestExceptionHandler(IProblemDetailsService problemDetails) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        if (exception is not BadHttpRequestException bad)
        {
            return false;
        }
        httpContext.Response.StatusCode = bad.StatusCode;
        ProblemDetails problem = FindJsonException(bad) is { } json
            ? new HttpValidationProblemDetails(new Dictionary<string, string[]> { [FieldOf(json)] = [Describe(json, BodyType(httpContext))] })
            {
                Status = StatusCodes.Status400BadRequest,
                Title = "The request body is not valid JSON for this operation.",
            }
            : bad.StatusCode == StatusCodes.Status400BadRequest && UnboundParameter().Match(bad.Message) is { Success: true } unbound
            ? new HttpValidationProblemDetails(new Dictionary<string, string[]>
            {
                // Query and route names are camelCase; an [AsParameters] record's binding failure names its property.
                [ValidationFilter.JsonPath(unbound.Groups["name"].Value)] = [$"'{unbound.Groups["value"].Value}' is not valid here: expected {ExpectedFromCSharpName(unbound.Groups["type"].Value)}."],
            })
            {
                Status = StatusCodes.Status400BadRequest,
                Title = "A query or route value is not valid.",
                Detail = $"The value of '{ValidationFilter.JsonPath(unbound.Groups["name"].Value)}' is not valid: expected {ExpectedFromCSharpName(unbound.Groups["type"].Value)}.",
            }
            : new ProblemDetails
            {
                Status = bad.StatusCode,
                Title = ReasonPhrases.GetReasonPhrase(bad.StatusCode),
                Detail = bad.StatusCode switch
                {
                    StatusCodes.Status415UnsupportedMediaType => $"Content-Type '{httpContext.Request.ContentType}' is not supported here; send application/json.",
                    StatusCodes.Status400BadRequest when bad.Message.StartsWith("Required parameter", StringComparison.Ordinal) =>
                        RequiredParameter().Match(bad.Message) is { Success: true } m && !m.Groups["source"].Value.Equals("body", StringComparison.OrdinalIgnoreCase)
                            ? $"The {m.Groups["source"].Value} value '{ValidationFilter.JsonPath(m.Groups["name"].Value)}' is required."
                            : "A JSON request body is required.",
                    _ => bad.Message,
                },
            };
        return await problemDetails.TryWriteAsync(new ProblemDetailsContext { HttpContext = httpContext, ProblemDetails = problem, Exception = exception });
    }

    private static JsonException? FindJsonException(Exception exception)
    {
        for (var inner = exception.InnerException; inner is not null; inner = inner.InnerException)
        {
            if (inner is JsonException json)
            {
                return json;
            }
        }
        return null;
    }

    private static string FieldOf(JsonException json) =>
        json.Path is { Length: > 2 } path && path.StartsWith("$.", StringComparison.Ordinal) ? path[2..] : "body";

    private static string Describe(JsonException json, Type? bodyType)
    {
        var message = json.Message;
        if (message.StartsWith("Duplicate property", StringComparison.Ordinal) && DuplicateName().Match(message) is { Success: true } duplicate)
        {
            return $"The property '{duplicate.Groups["name"].Value}' appears more than once; send each property once.";
        }
        if (message.StartsWith("The JSON value could not be converted", StringComparison.Ordinal) || message.Contains("System.", StringComparison.Ordinal)
            || message.Contains("ZonaIntegritas.", StringComparison.Ordinal))
        {
            var expected = bodyType is null ? null : TypeAt(bodyType, json.Path ?? "$");
            return expected is null ? "The value could not be converted to the type this field takes." : $"The value could not be converted: expected {JsonTypeOf(expected)}.";
        }
        var cut = message.IndexOf(" Path:", StringComparison.Ordinal);
        return cut > 0 ? message[..cut] : message;
    }

    // The exception handler has cleared the endpoint by now; its feature still holds the one that failed.
    private static Type? BodyType(HttpContext context) =>
        (context.Features.Get<IExceptionHandlerFeature>()?.Endpoint ?? context.GetEndpoint())?.Metadata.GetMetadata<IAcceptsMetadata>()?.RequestType;

    /// <summary>The .NET type the body type holds at a JSON path like <c>$.units[0].head.nip</c>, or null when it cannot be followed.</summary>
    internal static Type? TypeAt(Type root, string path)
    {
        var type = root;
        foreach (Match segment in PathSegment().Matches(path))
        {
            type = Nullable.GetUnderlyingType(type) ?? type;
            if (segment.Groups["index"].Success)
            {
                type = ElementType(type);
            }
            else
            {
                var name = segment.Groups["name"].Success ? segment.Groups["name"].Value : segment.Groups["quoted"].Value;
                type = type.GetProperties().FirstOrDefault(p => p.Name.Equals(name, StringComparison.OrdinalIgnoreCase))?.PropertyType;
            }
            if (type is null)
            {
                return null;
            }
        }
        return type;
    }

    private static Type? ElementType(Type type) =>
        type.IsArray ? type.GetElementType()
        : (type.IsInterface && type.IsGenericType && type.GetGenericTypeDefinition() == typeof(IEnumerable<>) ? type : type.GetInterfaces()
            .FirstOrDefault(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IEnumerable<>)))?.GetGenericArguments()[0];

    /// <summary>The JSON type a .NET type is read from, in words a client developer recognises.</summary>
    internal static string JsonTypeOf(Type type)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        return type switch
        {
            _ when type == typeof(string) => "a JSON string",
            _ when type == typeof(Guid) => "a JSON string holding a UUID",
            _ when type == typeof(DateOnly) => "a JSON string holding a date (yyyy-MM-dd)",
            _ when type == typeof(DateTimeOffset) || type == typeof(DateTime) => "a JSON string holding a date and time (ISO 8601)",
            _ when type == typeof(bool) => "true or false",
            _ when type == typeof(int) || type == typeof(long) || type == typeof(short) || type == typeof(byte) => "a JSON integer",
            _ when type == typeof(decimal) || type == typeof(double) || type == typeof(float) => "a JSON number",
            _ when type == typeof(JsonElement) => "a JSON value",
            _ when type.IsEnum => "a JSON string",
            _ when typeof(IEnumerable).IsAssignableFrom(type) => "a JSON array",
            _ => "a JSON object",
        };
    }

    /// <summary>The same for a C# type name as binding failures print it (<c>int?</c>, <c>Guid</c>, <c>DateOnly?</c>).</summary>
    private static string ExpectedFromCSharpName(string name) => BareTypeName(name) switch
    {
        "int" or "long" or "short" or "Int32" or "Int64" => "an integer",
        "decimal" or "double" or "float" => "a number",
        "bool" or "Boolean" => "true or false",
        "Guid" => "a UUID",
        "DateOnly" => "a date (yyyy-MM-dd)",
        "DateTimeOffset" or "DateTime" => "a date and time (ISO 8601)",
        _ => "a value of this parameter's type",
    };

    private static string BareTypeName(string name)
    {
        var bare = name.StartsWith("Nullable<", StringComparison.Ordinal) && name.EndsWith('>') ? name[9..^1] : name.TrimEnd('?');
        return bare[(bare.LastIndexOf('.') + 1)..];
    }

    [GeneratedRegex("""\.(?<name>[^.\[\]']+)|\['(?<quoted>[^']*)'\]|\[(?<index>\d+)\]""")]
    private static partial Regex PathSegment();

    [GeneratedRegex("""^Failed to bind parameter "(?<type>\S+) (?<name>[^"]+)" from "(?<value>.*)"\.$""", RegexOptions.Singleline)]
    private static partial Regex UnboundParameter();

    [GeneratedRegex("""^Required parameter "(?<type>\S+) (?<name>[^"]+)" was not provided from (?<source>\w+)""")]
    private static partial Regex RequiredParameter();

    [GeneratedRegex("""Duplicate property '(?<name>[^']*)'""")]
    private static partial Regex DuplicateName();
}
