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
}
