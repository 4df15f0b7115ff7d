using System.Runtime.CompilerServices;
using Microsoft.Data.SqlClient;
using Microsoft.Data.Sqlite;

namespace ZonaIntegritas.Api.Data;

/// <summary>Opens one connection per operation; pooling is left to the providers.</summary>
public sealed class DbConnectionFactory
{
    private readonly string _connectionString;
    private readonly int _busyTimeoutMilliseconds;
    private readonly int _cacheKibibytes;
    private static readonly ConditionalWeakTable<SQLitePCL.sqlite3, object> ConfiguredHandles = new();
    private static readonly object Configured = new();

    public DbConnectionFactory(IOptions<DatabaseOptions> options, IHostEnvironment environment)
    {
        var value = options.Value;
        Provider = value.Provider;
        _busyTimeoutMilliseconds = value.BusyTimeoutMilliseconds;
        _cacheKibibytes = value.SqliteCacheKibibytes;
        Dialect = Provider == DatabaseProvider.SqlServer ? SqlServerDialect.Instance : SqliteDialect.Instance;
        _connectionString = Provider == DatabaseProvider.SqlServer
            ? value.ConnectionString!
            : BuildSqliteConnectionString(value.ConnectionString, environment.ContentRootPath, value.BusyTimeoutMilliseconds);
    }

    public DatabaseProvider Provider { get; }

    public ISqlDialect Dialect { get; }

    /// <summary>The SQLite file in use, or null on SQL Server.</summary>
    public string? SqliteFile => Provider == DatabaseProvider.Sqlite ? new SqliteConnectionStringBuilder(_connectionString).DataSource : null;

    internal string ConnectionString => _connectionString;

    public async Task<DbConnection> OpenAsync(CancellationToken cancellationToken = default)
    {
        DbConnection connection = Provider == DatabaseProvider.SqlServer
            ? new SqlConnection(_connectionString)
            : new SqliteConnection(_connectionString);
        try
        {
            await connection.OpenAsync(cancellationToken);
            // busy_timeout and cache_size belong to the database handle, which the pool keeps open between operations: set
            // them once per handle, not on every open (foreign keys are switched on by the connection string).
            if (connection is SqliteConnection { Handle: { } handle } sqlite && !ConfiguredHandles.TryGetValue(handle, out _))
            {
                using var command = sqlite.CreateCommand();
                command.CommandText = $"PRAGMA busy_timeout = {_busyTimeoutMilliseconds}; PRAGMA cache_size = -{_cacheKibibytes};";
                await command.ExecuteNonQueryAsync(cancellationToken);
                ConfiguredHandles.AddOrUpdate(handle, Configured);
            }
            return connection;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    private static string BuildSqliteConnectionString(string? configured, string contentRoot, int busyTimeoutMilliseconds)
    {
        var builder = new SqliteConnectionStringBuilder(string.IsNullOrWhiteSpace(configured) ? "Data Source=data/zonaintegritas.db" : configured);
        if (builder.DataSource != ":memory:" && !Path.IsPathRooted(builder.DataSource))
        {
            builder.DataSource = Path.Combine(contentRoot, builder.DataSource);
        }
        if (builder.DataSource != ":memory:")
        {
            var directory = Path.GetDirectoryName(builder.DataSource);
            if (!string.IsNullOrEmpty(directory))
            {
                Directory.CreateDirectory(directory);
            }
        }
        builder.ForeignKeys = true;
        builder.Pooling = true;
        builder.DefaultTimeout = Math.Max(1, busyTimeoutMilliseconds / 1000);
        builder.Mode = SqliteOpenMode.ReadWriteCreate;
        return builder.ToString();
    }
}
