using Microsoft.AspNetCore.Authorization;
using Microsoft.OpenApi;
using ZonaIntegritas.Api.Auth;

namespace ZonaIntegritas.Api.Http;

public static class OpenApiSetup
{
    public static IServiceCollection AddZonaIntegritasOpenApi(this IServiceCollection services) => services.AddOpenApi(options =>
    {
        options.AddDocumentTransformer((document, _, _) =>
        {
            document.Info = new OpenApiInfo
            {
                Title = "ZonaIntegritas API",
                Version = "v1",
                Description = "Tracks Zona Integritas compliance (pencanangan, pakta integritas, LKE PermenPANRB 90/2021) on the way to the WBK and WBBM designations. "
                    + $"Every operation except health and the OpenAPI document needs an API key in the {ApiKeySecret.HeaderName} header.",
            };
            document.Components ??= new OpenApiComponents();
            document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
            document.Components.SecuritySchemes[ApiKeyAuthenticationHandler.SchemeName] = new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.ApiKey,
                In = ParameterLocation.Header,
                Name = ApiKeySecret.HeaderName,
                Description = "An API key created with POST /api/v1/api-keys (or the bootstrap admin key).",
            };
            return Task.CompletedTask;
        });
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
            operation.Responses.TryAdd("401", new OpenApiResponse { Description = "No API key, or one that is unknown, revoked or expired (ProblemDetails)." });
            operation.Responses.TryAdd("403", new OpenApiResponse { Description = "The API key's role may not perform this action (ProblemDetails)." });
            operation.Responses.TryAdd("429", new OpenApiResponse { Description = "Over the rate limit of the API key (or of failed authentications from this address); see Retry-After (ProblemDetails)." });
            return Task.CompletedTask;
        });
    });
}
