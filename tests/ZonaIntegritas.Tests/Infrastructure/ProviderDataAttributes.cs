using System.Reflection;
using Xunit.Sdk;

namespace ZonaIntegritas.Tests.Infrastructure;

/// <summary>Runs a data-layer theory on SQLite (always).</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class SqliteDataAttribute : DataAttribute
{
    public override IEnumerable<object[]> GetData(MethodInfo testMethod) => [[Providers.Sqlite]];
}

/// <summary>Runs a data-layer theory on SQL Server when ZI_TEST_SQLSERVER holds a connection string; skipped otherwise.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class SqlServerDataAttribute : DataAttribute
{
    public SqlServerDataAttribute()
    {
        if (string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable(TestDatabase.SqlServerVariable)))
        {
            Skip = $"SQL Server tests need a server: set {TestDatabase.SqlServerVariable} to a connection string with CREATE DATABASE permission (none is reachable on this machine).";
        }
    }

    public override IEnumerable<object[]> GetData(MethodInfo testMethod) => [[Providers.SqlServer]];
}
