namespace ZonaIntegritas.Api.Http;

/// <summary>Bound from the <c>Cors</c> section. Browser frontends on other origins are allowed only when listed here.</summary>
public sealed class CorsOptions
{
    public const string Section = "Cors";
    public const string PolicyName = "configured-origins";

    /// <summary>Exact origins such as <c>https://zi.inspektorat.go.id</c>; empty (the default) allows none.</summary>
    public string[] AllowedOrigins { get; set; } = [];
}

public static class SecurityHeaders
{
    // Swagger UI needs its own scripts and inline styles; nothing may be framed, fetched or posted elsewhere.
    private const string SwaggerPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; "
        + "font-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    private const string ApiPolicy = "default-src 'none'; frame-ancestors 'none'";

    /// <summary>
    /// nosniff and framing refusal on every response; <c>Cache-Control: no-store</c> on everything answered to an API key,
    /// so shared caches and browsers keep no copy of another agency's data. Clients that want conditional requests keep
    /// the ETag themselves.
    /// </summary>
    public static IApplicationBuilder UseSecurityHeaders(this IApplicationBuilder app) => app.Use((context, next) =>
    {
        context.Response.OnStarting(() =>
        {
            var headers = context.Response.Headers;
            headers.XContentTypeOptions = "nosniff";
            headers.XFrameOptions = "DENY";
            headers["Referrer-Policy"] = "no-referrer";
            headers.ContentSecurityPolicy = context.Request.Path.StartsWithSegments("/swagger") ? SwaggerPolicy : ApiPolicy;
            // PortalRB's calls carry the key as a bearer token; its evidence pages are reached by signed links.
            if (context.Request.Headers.ContainsKey(Auth.ApiKeySecret.HeaderName) || context.Request.Headers.ContainsKey("Authorization")
                || context.Request.Path.StartsWithSegments("/api") || context.Request.Path.StartsWithSegments(Features.PortalRb.PortalRbOptions.BasePath))
            {
                headers.CacheControl = "no-store";
            }
            return Task.CompletedTask;
        });
        return next(context);
    });

    public static IServiceCollection AddConfiguredCors(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<CorsOptions>().BindConfiguration(CorsOptions.Section)
            .Validate(o => o.AllowedOrigins.All(origin => Uri.TryCreate(origin, UriKind.Absolute, out var uri) && uri.AbsolutePath == "/" && origin.TrimEnd('/') == origin),
                "Cors:AllowedOrigins must hold origins such as https://zi.example.go.id (scheme and host, no path, no trailing slash).")
            .ValidateOnStart();
        var origins = configuration.GetSection(CorsOptions.Section).Get<CorsOptions>()?.AllowedOrigins ?? [];
        services.AddCors(options => options.AddPolicy(CorsOptions.PolicyName, policy => policy
            .WithOrigins(origins)
            .WithMethods(HttpMethods.Get, HttpMethods.Post, HttpMethods.Put, HttpMethods.Delete)
            .WithHeaders(Auth.ApiKeySecret.HeaderName, "Content-Type", "If-None-Match", "Idempotency-Key", "Range", "Accept")
            .WithExposedHeaders("ETag", "Location", "Retry-After", "Content-Disposition")));
        return services;
    }
}
