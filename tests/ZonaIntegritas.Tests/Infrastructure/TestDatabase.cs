using Microsoft.Data.SqlClient;
using Microsoft.Data.Sqlite;

namespace ZonaIntegritas.Tests.Infrastructure;

/// <summary>A fresh, empty database for one test application; removed again on dispose.</summary>
public abstract class TestDatabase : IAsyncDisposable
{
    public const string SqlServerVariable = "ZI_TEST_SQLSERVER";

    public abstract string Provider { get; }

    public abstract string ConnectionString { get; }

    public abstract ValueTask DisposeAsync();

    public static async Task<TestDatabase> CreateAsync(string provider) => provider switch
    {
        Providers.Sqlite => new SqliteTestDatabase(),
        Providers.SqlServer => await SqlServerTestDatabase.CreateAsync(),
        _ => throw new ArgumentOutOfRangeException(nameof(provider), provider, "Unknown provider."),
    };
}

public static class Providers
{
    public const string Sqlite = "Sqlite";
    public const string SqlServer = "SqlServer";
}

public sealed class SqliteTestDatabase : TestDatabase
{
    private readonly string _file = Path.Combine(Path.GetTempPath(), "zi-tests", $"{Guid.NewGuid():N}.db");

    public SqliteTestDatabase() => Directory.CreateDirectory(Path.GetDirectoryName(_file)!);

    public override string Provider => Providers.Sqlite;

    public override string ConnectionString => $"Data Source={_file}";

    public string File => _file;

    public override ValueTask DisposeAsync()
    {
        SqliteConnection.ClearAllPools();
        foreach (var path in new[] { _file, _file + "-wal", _file + "-shm" })
        {
            try
            {
                System.IO.File.Delete(path);
            }
            catch (IOException)
            {
                // A connection of a parallel test may still hold the file for a moment; the temp folder is cleaned by the OS.
            }
        }
        return ValueTask.CompletedTask;
    }
}

public sealed class SqlServerTestDatabase : TestDatabase
{
    private readonly string _server;
    private readonly string _name;

    private SqlServerTestDatabase(string server, string name)
    {
        _server = server;
        _name = name;
    }

    public override string Provider => Providers.SqlServer;

    public override string ConnectionString => new SqlConnectionStringBuilder(_server) { InitialCatalog = _name }.ConnectionString;

    public static async Task<SqlServerTestDatabase> CreateAsync()
    {
        var server = Environment.GetEnvironmentVariable(SqlServerVariable)
            ?? throw new InvalidOperationException($"{SqlServerVariable} is not set.");
        var name = $"zi_test_{Guid.NewGuid():N}";
        await using var connection = new SqlConnection(server);
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = $"CREATE DATABASE [{name}]";
        await command.ExecuteNonQueryAsync();
        return new SqlServerTestDatabase(server, name);
    }

    public override async ValueTask DisposeAsync()
    {
        SqlConnection.ClearAllPools();
        await using var connection = new SqlConnection(_server);
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = $"ALTER DATABASE [{_name}] SET SINGLE_USER WITH ROLLBACK IMMEDIATE; DROP DATABASE [{_name}];";
        await command.ExecuteNonQueryAsync();
    }
}
