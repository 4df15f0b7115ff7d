using System.ComponentModel.DataAnnotations;

namespace ZonaIntegritas.Api.Data;

public enum DatabaseProvider
{
    Sqlite,
    SqlServer,
}

/// <summary>Bound from the <c>Database</c> section; the connection string comes from <c>ConnectionStrings:ZonaIntegritas</c>.</summary>
public sealed class DatabaseOptions
{
    public const string Section = "Database";

    public DatabaseProvider Provider { get; set; } = DatabaseProvider.Sqlite;

    /// <summary>Filled from <c>ConnectionStrings:ZonaIntegritas</c>; for SQLite an empty value means <c>data/zonaintegritas.db</c> under the content root.</summary>
    public string? ConnectionString { get; set; }

    /// <summary>How long a SQLite writer waits for the database lock before giving up.</summary>
    [Range(100, 600_000)]
    public int BusyTimeoutMilliseconds { get; set; } = 10_000;

    /// <summary>
    /// SQLite's page cache per pooled connection. Every connection the pool keeps holds its own, so under load resident
    /// memory grows with it times the connections (SQLite's own default is 2,000 KiB); pages it does not hold are read
    /// from the operating system's file cache, which all connections share.
    /// </summary>
    [Range(64, 1_048_576, ErrorMessage = "Database:SqliteCacheKibibytes must be between 64 and 1048576 (KiB of page cache per SQLite connection).")]
    public int SqliteCacheKibibytes { get; set; } = 512;
}
