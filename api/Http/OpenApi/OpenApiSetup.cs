using Microsoft.AspNetCore.Authorization;
using Microsoft.OpenApi;

namespace ZonaIntegritas.Api.Http.OpenApi;

public static class OpenApiSetup
{
    public static IServiceCollection AddZonaIntegritasOpenApi(this IServiceCollection services)
    {
        services.AddSingleton<ValidatorFacts>();
        services.AddSingleton<RequestTypes>();
        services.AddSingleton<RequiredRequestProperties>();
        return services.AddOpenApi(options =>
        {
            options.AddSchemaTransformer<SchemaRules>();
            options.AddOperationTransformer((operation, context, _) =>
            {
                var metadata = context.Description.ActionDescriptor.EndpointMetadata;
                if (!metadata.OfType<IAuthorizeData>().Any() || metadata.OfType<IAllowAnonymous>().Any())
                {
                    return Task.CompletedTask;
                }
                operation.Security ??= [];
                operation.Security.Add(new OpenApiSecurityRequirement
                {
                    [new OpenApiSecuritySchemeReference(ApiKeyAuthenticationHandler.SchemeName, context.Document)] = [],
                });
                operation.Responses ??= new OpenApiResponses();
                operation.Responses.TryAdd("401", new OpenApiResponse { Description = "No API key, or one that is unknown, revoked or expired." });
                operation.Responses.TryAdd("403", new OpenApiResponse { Description = "The API key's role may not perform this action." });
                operation.Responses.TryAdd("429", new OpenApiResponse { Description = "Over the rate limit of the API key (or of failed authentications from this address); wait Retry-After seconds." });
                return Task.CompletedTask;
            });
            options.AddOperationTransformer<ResponseRules>();
            options.AddDocumentTransformer((document, context, _) =>
            {
                document.Info = new OpenApiInfo
                {
                    Title = "ZonaIntegritas API",
                    Version = "v1",
                    Description = "Tracks Zona Integritas compliance (pencanangan, pakta integritas, LKE PermenPANRB 90/2021) on the way to the WBK and WBBM designations. "
                        + $"Every operation except health and the OpenAPI document needs an API key in the {ApiKeySecret.HeaderName} header. "
                        + "Errors are application/problem+json (ProblemDetails). Rupiah amounts are decimal strings with two decimals.",
                };
                foreach (var server in document.Servers ?? [])
                {
                    server.Url = server.Url?.TrimEnd('/');
                }
                document.Components ??= new OpenApiComponents();
                document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
                document.Components.SecuritySchemes[ApiKeyAuthenticationHandler.SchemeName] = new OpenApiSecurityScheme
                {
                    Type = SecuritySchemeType.ApiKey,
                    In = ParameterLocation.Header,
                    Name = ApiKeySecret.HeaderName,
                    Description = "An API key created with POST /api/v1/api-keys (or the bootstrap admin key).",
                };
                ProblemSchema.Register(document);
                document.Components.Schemas?.Remove("HttpValidationProblemDetails");
                RequiredMeansNotNull(document, context.ApplicationServices.GetRequiredService<RequiredRequestProperties>());
                return Task.CompletedTask;
            });
        });
    }

    /// <summary>A request property the validators require is refused as null, so null is not among its types.</summary>
    private static void RequiredMeansNotNull(OpenApiDocument document, RequiredRequestProperties required)
    {
        foreach (var (name, entry) in required.All)
        {
            if (document.Components?.Schemas?.TryGetValue(name, out var found) != true || found is not OpenApiSchema schema || schema.Properties is null)
            {
                continue;
            }
            foreach (var property in entry.FreeValues.Where(schema.Properties.ContainsKey))
            {
                schema.Properties[property] = new OpenApiSchema
                {
                    Type = JsonSchemaType.String,
                    Description = "The answer as text: an option (\"Ya\", \"A\") or a number (\"3.5\", \"12\"). A JSON number is accepted as well.",
                };
            }
            foreach (var property in entry.Required)
            {
                if (!schema.Properties.TryGetValue(property, out var value) || value is not OpenApiSchema propertySchema)
                {
                    continue;
                }
                if (propertySchema.Type is { } type && type.HasFlag(JsonSchemaType.Null) && type != JsonSchemaType.Null)
                {
                    propertySchema.Type = type & ~JsonSchemaType.Null;
                }
                if (propertySchema.OneOf is { Count: 2 } oneOf && oneOf.FirstOrDefault(s => s.Type == JsonSchemaType.Null) is { } nullSchema)
                {
                    var other = oneOf.First(s => !ReferenceEquals(s, nullSchema));
                    schema.Properties[property] = other;
                }
            }
        }
    }
}
