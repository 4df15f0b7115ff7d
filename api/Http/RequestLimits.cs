using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Mvc;

namespace ZonaIntegritas.Api.Http;

/// <summary>Bound from the <c>Limits</c> section.</summary>
public sealed class RequestLimitsOptions
{
    public const string Section = "Limits";

    /// <summary>Ordinary JSON bodies.</summary>
    [Range(1024, 100 * 1024 * 1024)]
    public long MaxJsonBodyBytes { get; set; } = 1024 * 1024;

    /// <summary>Bulk imports such as 5,000 integrity pacts as JSON or CSV.</summary>
    [Range(1024, 1024 * 1024 * 1024)]
    public long MaxImportBodyBytes { get; set; } = 8 * 1024 * 1024;

    /// <summary>A request body slower than this (after a 10 s grace period) is aborted; mobile uploads on 2G still pass.</summary>
    [Range(1.0, 1048576.0, ErrorMessage = "Limits:MinBodyBytesPerSecond must be between 1 and 1048576.")]
    public double MinBodyBytesPerSecond { get; set; } = 240;

    [Range(1, 300, ErrorMessage = "Limits:RequestHeadersTimeoutSeconds must be between 1 and 300.")]
    public int RequestHeadersTimeoutSeconds { get; set; } = 30;
}

/// <summary>Endpoint metadata: this endpoint accepts bulk imports, so the larger body limit applies.</summary>
public sealed record BulkImportBody;

public static class RequestLimitsMiddleware
{
    /// <summary>
    /// Refuses bodies over the endpoint's limit with 413 before reading them; the server enforces the same limit on
    /// bodies without a Content-Length while they stream.
    /// </summary>
    public static IApplicationBuilder UseRequestBodyLimits(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        var limits = context.RequestServices.GetRequiredService<Microsoft.Extensions.Options.IOptions<RequestLimitsOptions>>().Value;
        var metadata = context.GetEndpoint()?.Metadata;
        var limit = metadata?.GetMetadata<Features.Evidence.EvidenceUploadBody>() is not null
            // Room for the multipart framing and the small form fields around the file.
            ? context.RequestServices.GetRequiredService<Microsoft.Extensions.Options.IOptions<Features.Evidence.EvidenceOptions>>().Value.MaxBytes + 64 * 1024
            : metadata?.GetMetadata<BulkImportBody>() is not null ? limits.MaxImportBodyBytes : limits.MaxJsonBodyBytes;
        if (context.Request.ContentLength > limit)
        {
            await Problems.WriteAsync(context, StatusCodes.Status413PayloadTooLarge, "Payload Too Large",
                $"The request body is {context.Request.ContentLength} bytes; this endpoint accepts at most {limit} bytes.");
            return;
        }
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } feature)
        {
            feature.MaxRequestBodySize = limit;
        }
        await next(context);
    });
}
