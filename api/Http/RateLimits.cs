using System.ComponentModel.DataAnnotations;
using System.Globalization;
using System.Security.Claims;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Caching.Memory;

namespace ZonaIntegritas.Api.Http;

/// <summary>Bound from the <c>RateLimits</c> section: fixed windows per API key, tighter for uploads and for failed authentication per client IP.</summary>
public sealed class RateLimitOptions
{
    public const string Section = "RateLimits";

    [Range(1, 3600, ErrorMessage = "RateLimits:WindowSeconds must be between 1 and 3600.")]
    public int WindowSeconds { get; set; } = 60;

    /// <summary>Requests per API key per window (uploads count here too).</summary>
    [Range(1, int.MaxValue, ErrorMessage = "RateLimits:RequestsPerKey must be at least 1 (requests per key per window).")]
    public int RequestsPerKey { get; set; } = 6000;

    /// <summary>Evidence uploads per API key per window.</summary>
    [Range(1, int.MaxValue, ErrorMessage = "RateLimits:UploadsPerKey must be at least 1 (uploads per key per window).")]
    public int UploadsPerKey { get; set; } = 60;

    /// <summary>Requests with a missing, unknown, revoked or expired key per client IP per window, before 429.</summary>
    [Range(1, int.MaxValue, ErrorMessage = "RateLimits:FailedAuthenticationsPerIp must be at least 1 (failures per client IP per window).")]
    public int FailedAuthenticationsPerIp { get; set; } = 30;
}

public static class RateLimits
{
    /// <summary>Marks endpoints that take evidence uploads; they also count against <see cref="RateLimitOptions.UploadsPerKey"/>.</summary>
    public const string UploadPolicy = "uploads";

    public static IServiceCollection AddZonaIntegritasRateLimits(this IServiceCollection services)
    {
        services.AddOptions<RateLimitOptions>().BindConfiguration(RateLimitOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<FailedAuthenticationLimiter>();
        services.AddRateLimiter(options =>
        {
            options.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            // Authenticated requests are counted per key; anything else per client IP (failed keys have their own limiter).
            options.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(context =>
            {
                var limits = context.RequestServices.GetRequiredService<IOptions<RateLimitOptions>>().Value;
                return RateLimitPartition.GetFixedWindowLimiter(Caller(context), _ => Window(limits.RequestsPerKey, limits.WindowSeconds));
            });
            options.AddPolicy(UploadPolicy, context =>
            {
                var limits = context.RequestServices.GetRequiredService<IOptions<RateLimitOptions>>().Value;
                return RateLimitPartition.GetFixedWindowLimiter("upload:" + Caller(context), _ => Window(limits.UploadsPerKey, limits.WindowSeconds));
            });
            options.OnRejected = (context, cancellationToken) =>
            {
                var retryAfter = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : TimeSpan.FromSeconds(1);
                return WriteTooManyRequests(context.HttpContext, retryAfter, "Too many requests for this API key; wait before sending more.");
            };
        });
        return services;
    }

    /// <summary>Who a request counts against: its API key, or its client IP when it has none.</summary>
    private static string Caller(HttpContext context) =>
        context.User.FindFirstValue(ClaimTypes.NameIdentifier) is { } keyId ? "key:" + keyId : "ip:" + context.Connection.RemoteIpAddress;

    internal static FixedWindowRateLimiterOptions Window(int permits, int seconds) => new()
    {
        PermitLimit = permits,
        Window = TimeSpan.FromSeconds(seconds),
        QueueLimit = 0,
        AutoReplenishment = true,
    };

    public static ValueTask WriteTooManyRequests(HttpContext context, TimeSpan retryAfter, string detail)
    {
        var seconds = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds));
        context.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        return Problems.WriteAsync(context, StatusCodes.Status429TooManyRequests, "Too Many Requests", $"{detail} Retry after {seconds} s.");
    }
}

/// <summary>
/// Counts failed authentications per client IP. Once an IP is over its limit, keys it presents that are not already known
/// to be valid are refused with 429 without a database lookup; the first refusal of a window is written to the audit trail.
/// </summary>
public sealed class FailedAuthenticationLimiter(IOptions<RateLimitOptions> options) : IDisposable
{
    private readonly PartitionedRateLimiter<string> _limiter = PartitionedRateLimiter.Create<string, string>(ip =>
        RateLimitPartition.GetFixedWindowLimiter(ip, _ => RateLimits.Window(options.Value.FailedAuthenticationsPerIp, options.Value.WindowSeconds)));

    /// <summary>True while the IP has no failures left in this window.</summary>
    public bool IsBlocked(string ip) => _limiter.GetStatistics(ip) is { CurrentAvailablePermits: 0 };

    /// <summary>Counts a failure; false when this failure is over the limit (the caller answers 429).</summary>
    public bool RecordFailure(string ip, out TimeSpan retryAfter)
    {
        using var lease = _limiter.AttemptAcquire(ip);
        retryAfter = lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : TimeSpan.FromSeconds(options.Value.WindowSeconds);
        return lease.IsAcquired;
    }

    public TimeSpan Window => TimeSpan.FromSeconds(options.Value.WindowSeconds);

    // Proven keys and audited bursts, bounded in count: past the bound MemoryCache's compaction drops the least recently
    // used tenth, so a flood of addresses cannot grow memory and cannot make every proven key unknown at once either.
    private readonly MemoryCache _remembered = new(new MemoryCacheOptions { SizeLimit = 200_000, CompactionPercentage = 0.1 });
    private static readonly MemoryCacheEntryOptions One = new() { Size = 1 };

    /// <summary>Remembers the hash of a key that authenticated, so that it keeps working from an address over the failure limit.</summary>
    public void Prove(byte[] keyHash)
    {
        var key = ("proven", Convert.ToHexString(keyHash));
        if (!_remembered.TryGetValue(key, out _))
        {
            _remembered.Set(key, true, One);
        }
    }

    /// <summary>True for a key that has authenticated on this instance before (it is still looked up, so revocation holds).</summary>
    public bool IsProven(byte[] keyHash) => _remembered.TryGetValue(("proven", Convert.ToHexString(keyHash)), out _);

    /// <summary>True once per IP and window: the burst is worth one audit entry, not one per refused request.</summary>
    public bool FirstBurstOfWindow(string ip, DateTimeOffset now)
    {
        var key = ("burst", ip);
        if (_remembered.TryGetValue(key, out DateTimeOffset until) && until > now)
        {
            return false;
        }
        _remembered.Set(key, now + Window, One);
        return true;
    }

    public void Dispose()
    {
        _limiter.Dispose();
        _remembered.Dispose();
    }
}
