using DbUp;
using DbUp.Engine.Output;
using Microsoft.Data.Sqlite;

namespace ZonaIntegritas.Api.Data;

/// <summary>Applies the numbered scripts of db/sqlite or db/sqlserver (embedded in this assembly) and journals them.</summary>
public sealed class DatabaseMigrator(DbConnectionFactory connections, ILogger<DatabaseMigrator> logger)
{
    public void Migrate()
    {
        var prefix = connections.Provider == DatabaseProvider.SqlServer ? "sqlserver." : "sqlite.";
        var builder = connections.Provider == DatabaseProvider.SqlServer
            ? DeployChanges.To.SqlDatabase(connections.ConnectionString)
            : DeployChanges.To.SqliteDatabase(connections.ConnectionString);

        if (connections.Provider == DatabaseProvider.Sqlite)
        {
            // WAL is a property of the database file: set once, before any script runs in a transaction.
            using var connection = new SqliteConnection(connections.ConnectionString);
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "PRAGMA journal_mode = WAL;";
            command.ExecuteNonQuery();
        }

        var upgrader = builder
            .WithScriptsEmbeddedInAssembly(typeof(DatabaseMigrator).Assembly, name => name.StartsWith(prefix, StringComparison.Ordinal))
            .WithTransactionPerScript()
            .LogTo(new UpgradeLog(logger))
            .Build();

        var result = upgrader.PerformUpgrade();
        if (!result.Successful)
        {
            throw new InvalidOperationException($"Database migration failed in script '{result.ErrorScript?.Name}': {result.Error.Message}", result.Error);
        }
    }

    private sealed class UpgradeLog(ILogger logger) : IUpgradeLog
    {
        public void LogTrace(string format, params object[] args) => logger.LogTrace(format, args);
        public void LogDebug(string format, params object[] args) => logger.LogDebug(format, args);
        public void LogInformation(string format, params object[] args) => logger.LogInformation(format, args);
        public void LogWarning(string format, params object[] args) => logger.LogWarning(format, args);
        public void LogError(string format, params object[] args) => logger.LogError(format, args);
        public void LogError(Exception ex, string format, params object[] args) => logger.LogError(ex, format, args);
    }
}
