using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using ZonaIntegritas.Api.Features.Evidence;

namespace ZonaIntegritas.Api.Features.Health;

/// <summary>Ready means the database answers a query.</summary>
public sealed class DatabaseHealthCheck(DbConnectionFactory db) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            await using var connection = await db.OpenAsync(cancellationToken);
            await connection.ExecuteScalarAsync<int>("SELECT COUNT(*) FROM agencies WHERE 1 = 0");
            return HealthCheckResult.Healthy($"{db.Provider} database reachable.");
        }
        catch (Exception e)
        {
            return HealthCheckResult.Unhealthy($"{db.Provider} database unreachable: {e.GetType().Name}.");
        }
    }
}

/// <summary>Ready also means evidence can be stored: the folder exists, or the bucket answers.</summary>
public sealed class EvidenceStoreHealthCheck(IEvidenceBlobStore store) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var problem = await store.ProblemAsync(cancellationToken);
        return problem is null ? HealthCheckResult.Healthy("Evidence store reachable.") : HealthCheckResult.Unhealthy(problem);
    }
}

public static class HealthEndpoints
{
    public const string ReadyTag = "ready";

    public static IEndpointRouteBuilder MapHealth(this IEndpointRouteBuilder app)
    {
        app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false })
            .WithTags("Health").WithSummary("Liveness: the process is up").AllowAnonymous();
        app.MapHealthChecks("/health/ready", new HealthCheckOptions { Predicate = check => check.Tags.Contains(ReadyTag) })
            .WithTags("Health").WithSummary("Readiness: the database answers and the evidence store is reachable").AllowAnonymous();
        return app;
    }
}
