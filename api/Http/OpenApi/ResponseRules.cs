using System.Reflection;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace ZonaIntegritas.Api.Http.OpenApi;

/// <summary>
/// Documents what every operation can answer, from its metadata: ProblemDetails on every 4xx (400 wherever there is
/// input, 413/415 wherever there is a body), Location on 201, Retry-After on 429, ETag/If-None-Match where 304 occurs,
/// CSV as text, multipart forms with their file part, file downloads with ranges, and request headers handlers read.
/// </summary>
public sealed class ResponseRules : IOpenApiOperationTransformer
{
    public const string ProblemContentType = "application/problem+json";

    public async Task TransformAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        var metadata = context.Description.ActionDescriptor.EndpointMetadata;
        operation.Responses ??= new OpenApiResponses();
        operation.Parameters ??= [];

        if (metadata.OfType<MultipartForm>().LastOrDefault() is { } form)
        {
            operation.RequestBody ??= new OpenApiRequestBody { Required = true };
            var body = (OpenApiRequestBody)operation.RequestBody;
            // The form first: it is the main write path, and generators take the first structured type they support.
            var content = new Dictionary<string, OpenApiMediaType> { ["multipart/form-data"] = await MultipartMediaType(form.Form, context, cancellationToken) };
            foreach (var (type, media) in body.Content ?? new Dictionary<string, OpenApiMediaType>())
            {
                content.TryAdd(type, media);
            }
            body.Content = content;
        }
        foreach (var header in metadata.OfType<DocumentedRequestHeader>())
        {
            operation.Parameters.Add(new OpenApiParameter
            {
                Name = header.Name,
                In = ParameterLocation.Header,
                Description = header.Description,
                Schema = new OpenApiSchema { Type = JsonSchemaType.String, MaxLength = header.MaxLength },
            });
        }
        if (metadata.OfType<FileDownload>().Any())
        {
            DocumentDownload(operation);
        }

        if (operation.RequestBody?.Content?.TryGetValue("application/json", out var json) == true && json.Example is null
            && context.Description.ParameterDescriptions.FirstOrDefault(p => p.Source == Microsoft.AspNetCore.Mvc.ModelBinding.BindingSource.Body) is { } bodyParameter
            && ExampleOf(bodyParameter.Type, context.ApplicationServices) is { } example)
        {
            json.Example = example;
        }

        var hasBody = operation.RequestBody is not null;
        // An operation with its own error contract (PortalRB's) already lists the statuses it answers bad input with.
        var ownErrorContract = operation.Responses.Any(r => r.Key.StartsWith('4') && r.Value is OpenApiResponse declared && DeclaresOwnErrorShape(declared));
        if (!ownErrorContract && (hasBody || operation.Parameters.Any(p => p.In is ParameterLocation.Query)))
        {
            operation.Responses.TryAdd("400", new OpenApiResponse { Description = "Bad Request: the input is refused; `errors` names each field by its JSON path." });
        }
        if (hasBody)
        {
            operation.Responses.TryAdd("413", new OpenApiResponse { Description = "Payload Too Large: the body is over the limit." });
            operation.Responses.TryAdd("415", new OpenApiResponse { Description = "Unsupported Media Type: send one of the content types of the request body." });
            CsvAsText(operation.RequestBody!.Content);
        }

        foreach (var (code, value) in operation.Responses)
        {
            if (value is not OpenApiResponse response)
            {
                continue;
            }
            response.Headers ??= new Dictionary<string, IOpenApiHeader>();
            CsvAsText(response.Content);
            EventStreamAsText(response.Content);
            switch (code)
            {
                case "201":
                    response.Headers.TryAdd("Location", Header("The URL of the created resource.", format: "uri-reference"));
                    break;
                case "429":
                    response.Headers.TryAdd("Retry-After", Header("Seconds to wait before sending again.", JsonSchemaType.Integer));
                    break;
                case "304":
                    response.Headers.TryAdd("ETag", Header("The entity tag of the unchanged representation."));
                    break;
            }
            if (code is "416")
            {
                response.Headers.TryAdd("Content-Range", Header("`bytes */{size}`: the size of the file."));
                response.Content = null;
            }
            else if (code.Length == 3 && code[0] == '4' && !DeclaresOwnErrorShape(response))
            {
                response.Content = new Dictionary<string, OpenApiMediaType>
                {
                    [ProblemContentType] = new() { Schema = new OpenApiSchemaReference(ProblemSchema.Name, context.Document) },
                };
            }
            if (metadata.OfType<DocumentedResponse>().LastOrDefault(d => d.StatusCode.ToString(System.Globalization.CultureInfo.InvariantCulture) == code) is { } documented)
            {
                response.Description = documented.Description;
            }
            if (string.IsNullOrEmpty(response.Description))
            {
                response.Description = Microsoft.AspNetCore.WebUtilities.ReasonPhrases.GetReasonPhrase(int.Parse(code, System.Globalization.CultureInfo.InvariantCulture));
            }
        }

        CsvDelimiter(operation);
        if (operation.Responses.ContainsKey("304"))
        {
            operation.Parameters.Add(new OpenApiParameter
            {
                Name = "If-None-Match",
                In = ParameterLocation.Header,
                Description = "An ETag from an earlier response: 304 without a body while the representation is unchanged.",
                Schema = new OpenApiSchema { Type = JsonSchemaType.String },
            });
            if (operation.Responses.TryGetValue("200", out var ok) && ok is OpenApiResponse okResponse)
            {
                okResponse.Headers ??= new Dictionary<string, IOpenApiHeader>();
                okResponse.Headers.TryAdd("ETag", Header("A strong entity tag of this representation; send it as If-None-Match."));
            }
        }
    }

    /// <summary>An endpoint that declares another error body (Produces&lt;T&gt;(4xx)) keeps it; framework problems become ours.</summary>
    private static bool DeclaresOwnErrorShape(OpenApiResponse response) =>
        response.Content?.Values.Any(media => media.Schema is OpenApiSchemaReference { Reference.Id: { } id }
            && id is not (ProblemSchema.Name or "HttpValidationProblemDetails")) == true;

    private static void DocumentDownload(OpenApiOperation operation)
    {
        var binary = new Dictionary<string, OpenApiMediaType>
        {
            ["application/octet-stream"] = new() { Schema = new OpenApiSchema { Type = JsonSchemaType.String, Format = "binary" } },
        };
        operation.Parameters!.Add(new OpenApiParameter
        {
            Name = "Range",
            In = ParameterLocation.Header,
            Description = "A byte range (`bytes=0-1023`) for 206 Partial Content.",
            Schema = new OpenApiSchema { Type = JsonSchemaType.String },
        });
        operation.Responses!["200"] = new OpenApiResponse
        {
            Description = "The file, with its stored Content-Type and `Content-Disposition: attachment`.",
            Content = binary,
            Headers = new Dictionary<string, IOpenApiHeader>
            {
                ["ETag"] = Header("The SHA-256 of the bytes, quoted; send it as If-None-Match."),
                ["Content-Disposition"] = Header("`attachment` with the stored file name."),
                ["Accept-Ranges"] = Header("`bytes`."),
                ["Last-Modified"] = Header("When this version was uploaded."),
            },
        };
        operation.Responses["206"] = new OpenApiResponse
        {
            Description = "The requested byte range.",
            Content = binary,
            Headers = new Dictionary<string, IOpenApiHeader> { ["Content-Range"] = Header("`bytes {first}-{last}/{size}`.") },
        };
        operation.Responses["304"] = new OpenApiResponse { Description = "Not Modified: If-None-Match matched the ETag." };
        operation.Responses["416"] = new OpenApiResponse { Description = "Range Not Satisfiable: the range lies outside the file." };
    }

    private static async Task<OpenApiMediaType> MultipartMediaType(Type form, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        var schema = new OpenApiSchema { Type = JsonSchemaType.Object, Properties = new Dictionary<string, IOpenApiSchema>(), Required = new HashSet<string>() };
        var encoding = new Dictionary<string, OpenApiEncoding>();
        var nullability = new NullabilityInfoContext();
        foreach (var property in form.GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            var name = JsonNamingPolicy.CamelCase.ConvertName(property.Name);
            OpenApiSchema part;
            if (property.PropertyType == typeof(IFormFile))
            {
                part = new OpenApiSchema { Type = JsonSchemaType.String, Format = "binary" };
                encoding[name] = new OpenApiEncoding { ContentType = "application/octet-stream" };
            }
            else
            {
                part = await context.GetOrCreateSchemaAsync(Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType, null, cancellationToken);
            }
            part.Description = property.GetCustomAttribute<System.ComponentModel.DescriptionAttribute>()?.Description ?? part.Description;
            if (property.GetCustomAttribute<System.ComponentModel.DataAnnotations.MaxLengthAttribute>() is { } max)
            {
                part.MaxLength = max.Length;
            }
            schema.Properties[name] = part;
            if (nullability.Create(property).ReadState == NullabilityState.NotNull)
            {
                schema.Required.Add(name);
            }
        }
        return new OpenApiMediaType { Schema = schema, Encoding = encoding };
    }

    /// <summary>The <see cref="IHasExample{TSelf}"/> value of a body type (or, for a list, of its element) as the service writes it.</summary>
    private static System.Text.Json.Nodes.JsonNode? ExampleOf(Type type, IServiceProvider services)
    {
        var element = type.IsGenericType && type.GetGenericArguments() is [var argument] && typeof(System.Collections.IEnumerable).IsAssignableFrom(type) ? argument : type;
        if (element.GetProperty("Example", BindingFlags.Public | BindingFlags.Static)?.GetValue(null) is not { } value
            || !element.GetInterfaces().Any(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IHasExample<>)))
        {
            return null;
        }
        var options = services.GetRequiredService<Microsoft.Extensions.Options.IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions>>().Value.SerializerOptions;
        var node = JsonSerializer.SerializeToNode(value, element, options);
        return element == type ? node : new System.Text.Json.Nodes.JsonArray(node);
    }

    private static void CsvAsText(IDictionary<string, OpenApiMediaType>? content)
    {
        if (content?.TryGetValue("text/csv", out var csv) == true)
        {
            csv.Schema = new OpenApiSchema { Type = JsonSchemaType.String, Description = "CSV, UTF-8 with a BOM, with a header row; `delimiter=semicolon` splits on ';'." };
        }
        if (content?.TryGetValue(SpreadsheetTable.ContentType, out var xlsx) == true)
        {
            xlsx.Schema = new OpenApiSchema { Type = JsonSchemaType.String, Format = "binary", Description = "An .xlsx workbook: a header row, typed cells." };
        }
    }

    /// <summary>Operations answering CSV read <c>?delimiter=</c> (CsvText).</summary>
    private static void CsvDelimiter(OpenApiOperation operation)
    {
        var csv = operation.Responses?.Values.OfType<OpenApiResponse>().Any(r => r.Content?.ContainsKey("text/csv") == true) == true;
        if (csv && operation.Parameters!.All(p => p.Name != CsvText.DelimiterParameter))
        {
            operation.Parameters!.Add(new OpenApiParameter
            {
                Name = CsvText.DelimiterParameter,
                In = ParameterLocation.Query,
                Description = "CSV field separator: `comma` (default) or `semicolon` (for Excel in an Indonesian locale).",
                Schema = new OpenApiSchema { Type = JsonSchemaType.String, Enum = CsvText.Delimiters.Select(d => (System.Text.Json.Nodes.JsonNode)System.Text.Json.Nodes.JsonValue.Create(d)!).ToList() },
            });
        }
    }

    private static void EventStreamAsText(IDictionary<string, OpenApiMediaType>? content)
    {
        if (content?.TryGetValue("text/event-stream", out var stream) == true)
        {
            stream.Schema = new OpenApiSchema
            {
                Type = JsonSchemaType.String,
                Description = "Server-sent events: per event `id: <cursor>`, `event: <type>`, `data: <the event JSON>`; `:` lines are heartbeats.",
            };
        }
    }

    private static OpenApiHeader Header(string description, JsonSchemaType type = JsonSchemaType.String, string? format = null) =>
        new() { Description = description, Schema = new OpenApiSchema { Type = type, Format = format } };
}
