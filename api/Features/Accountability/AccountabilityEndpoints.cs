using ZonaIntegritas.Api.Features.Units;

namespace ZonaIntegritas.Api.Features.Accountability;

public static class AccountabilityEndpoints
{
    public const string Tag = "Accountability (kinerja & anggaran)";

    /// <summary>Performance targets, budgets, absorption milestones and the report, and the LKE derivation.</summary>
    public static RouteGroupBuilder MapAccountability(this RouteGroupBuilder api)
    {
        api.MapPerformanceTargets();
        api.MapBudgets();
        api.MapAbsorption();
        api.MapDerivedAnswers();
        return api;
    }

    /// <summary>The unit when the caller may write its accountability data; otherwise 404 (out of scope) or 403.</summary>
    internal static async Task<(WorkUnit? Unit, ProblemHttpResult? Refusal)> WritableUnit(
        DbConnection connection, DbTransaction transaction, Caller caller, Guid unitId)
    {
        var unit = await UnitQueries.Find(connection, unitId, transaction);
        if (unit is null || !caller.CanSeeUnit(unit.Id, unit.AgencyId))
        {
            return (null, Problems.NotFound("Unit", unitId));
        }
        if (!caller.CanWriteForUnit(unit.Id, unit.AgencyId))
        {
            return (null, Problems.Forbidden($"An API key with role '{caller.Role}' may not record accountability data for unit '{unit.Code}'."));
        }
        return (unit, null);
    }

    /// <summary>The unit when the caller can see it; otherwise null (answer 404).</summary>
    internal static async Task<WorkUnit?> VisibleUnit(DbConnection connection, Caller caller, Guid unitId, DbTransaction? transaction = null)
    {
        var unit = await UnitQueries.Find(connection, unitId, transaction);
        return unit is not null && caller.CanSeeUnit(unit.Id, unit.AgencyId) ? unit : null;
    }
}
