using System.ComponentModel.DataAnnotations;

namespace ZonaIntegritas.Api.Data;

public sealed class CacheOptions
{
    public const string Section = "Cache";

    /// <summary>Serve compliance documents and API-key lookups from memory until a write touches them.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>
    /// How often each instance reads the audit trail for writes made by other instances. A single instance sees its own
    /// writes at once; with several instances behind a load balancer this is the longest another one serves old data.
    /// </summary>
    [Range(1, 60, ErrorMessage = "Cache:ChangeFeedSeconds must be between 1 and 60 (seconds).")]
    public int ChangeFeedSeconds { get; set; } = 2;

    /// <summary>Memory for cached views and key look-ups; beyond it the least recently used are dropped.</summary>
    [Range(1, 65_536, ErrorMessage = "Cache:MaxMegabytes must be between 1 and 65536 (megabytes of cached views held in memory).")]
    public int MaxMegabytes { get; set; } = 64;
}
