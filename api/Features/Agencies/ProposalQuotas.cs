using ZonaIntegritas.Api.Features.Frameworks;
using System.Data.Common;
using System.Globalization;
using Dapper;
using FluentValidation;
using Microsoft.AspNetCore.Http.HttpResults;
using ZonaIntegritas.Api.Auth;
using ZonaIntegritas.Api.Data;
using ZonaIntegritas.Api.Features.Audit;
using ZonaIntegritas.Api.Http;
using ZonaIntegritas.Api.Http.OpenApi;

namespace ZonaIntegritas.Api.Features.Agencies;

/// <summary>How many units of the agency may be proposed in an assessment year, per predikat; null: no limit.</summary>
public sealed record ProposalQuota
{
    public Guid AgencyId { get; init; }
    public int Year { get; init; }
    public int? Wbk { get; init; }
    public int? Wbbm { get; init; }
    public DateTimeOffset UpdatedAt { get; init; }

    public int? For(string target) => target == Predikat.Wbbm ? Wbbm : Wbk;
}

public sealed record ProposalQuotaRequest(int? Wbk, int? Wbbm) : IHasExample<ProposalQuotaRequest>
{
    public static ProposalQuotaRequest Example => new(5, 2);
}

public sealed class ProposalQuotaRequestValidator : AbstractValidator<ProposalQuotaRequest>
{
    public ProposalQuotaRequestValidator()
    {
        RuleFor(r => r.Wbk).InclusiveBetween(0, 10_000);
        RuleFor(r => r.Wbbm).InclusiveBetween(0, 10_000);
    }
}

public static class ProposalQuotas
{
    public static RouteGroupBuilder MapProposalQuotas(this RouteGroupBuilder api)
    {
        var group = api.MapGroup("/agencies/{id:guid}/proposal-quota").WithTags("Agencies").WithValidation();
        group.MapPut("/{year:int}", PutProposalQuota).RequireAuthorization(Policies.Admin)
            .WithName(nameof(PutProposalQuota))
            .WithSummary("Limit how many of the agency's units may be proposed for WBK and WBBM in an assessment year")
            .WithDescription("""
                Admin only. `wbk` and `wbbm` are the most units proposed for each predikat in the year (null: no limit; 0: none).
                Units count from their proposal on, through every national stage, whatever the outcome. A proposal beyond the quota is
                422 (rule proposal_quota_reached) naming the quota and the units already proposed. Lowering a quota never withdraws a proposal.
                """)
            .Accepts<ProposalQuotaRequest>("application/json")
            .Produces<ProposalQuota>(StatusCodes.Status200OK, "application/json")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound);
        group.MapGet("/{year:int}", GetProposalQuota)
            .WithName(nameof(GetProposalQuota))
            .WithSummary("The agency's proposal quota for an assessment year (404 when none is set: no limit)")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound);
        return api;
    }

    public static async Task<Results<Ok<ProposalQuota>, ValidationProblem, ProblemHttpResult>> PutProposalQuota(
        Guid id, int year, ProposalQuotaRequest request, Caller caller, DbConnectionFactory db, CancellationToken cancellationToken)
    {
        if (YearRules.Invalid(year) is { } invalid)
        {
            return invalid;
        }
        await using var connection = await db.OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        if (await AgencyQueries.Find(connection, id, transaction) is null)
        {
            return Problems.NotFound("Agency", id);
        }
        var before = await Find(connection, id, year, transaction);
        var quota = new ProposalQuota { AgencyId = id, Year = year, Wbk = request.Wbk, Wbbm = request.Wbbm, UpdatedAt = caller.At };
        const string update = """
            UPDATE agency_proposal_quotas SET wbk = @Wbk, wbbm = @Wbbm, updated_at = @UpdatedAt, updated_by = @By WHERE agency_id = @AgencyId AND year = @Year
            """;
        const string insert = """
            INSERT INTO agency_proposal_quotas (agency_id, year, wbk, wbbm, updated_at, updated_by) VALUES (@AgencyId, @Year, @Wbk, @Wbbm, @UpdatedAt, @By)
            """;
        var values = new { quota.AgencyId, quota.Year, quota.Wbk, quota.Wbbm, quota.UpdatedAt, By = caller.KeyId };
        if (await connection.ExecuteAsync(update, values, transaction) == 0)
        {
            await connection.ExecuteAsync(insert, values, transaction);
        }
        await connection.AuditAsync(transaction, caller, new AuditChange("proposal_quota.set", "proposal_quota", $"{id}/{year.ToString(CultureInfo.InvariantCulture)}", id,
            Changes: AuditTrail.Diff(("wbk", before?.Wbk, quota.Wbk), ("wbbm", before?.Wbbm, quota.Wbbm))));
        await transaction.CommitAsync(cancellationToken);
        return TypedResults.Ok(quota);
    }

    public static async Task<Results<Ok<ProposalQuota>, ValidationProblem, ProblemHttpResult>> GetProposalQuota(
        Guid id, int year, Caller caller, DbConnectionFactory db, CancellationToken cancellationToken)
    {
        if (YearRules.Invalid(year) is { } invalid)
        {
            return invalid;
        }
        await using var connection = await db.OpenAsync(cancellationToken);
        if (!caller.CanSeeAgency(id) || await AgencyQueries.Find(connection, id) is null)
        {
            return Problems.NotFound("Agency", id);
        }
        return await Find(connection, id, year) is { } quota ? TypedResults.Ok(quota)
            : Problems.NotFound($"No proposal quota is set for agency '{id}' and {year}: proposals are not limited.");
    }

    private const string Columns = "agency_id, year, wbk, wbbm, updated_at";

    /// <summary>The quota of one agency and year, or null (no limit).</summary>
    public static Task<ProposalQuota?> Find(DbConnection connection, Guid agencyId, int year, DbTransaction? transaction = null)
    {
        const string sql = $"SELECT {Columns} FROM agency_proposal_quotas WHERE agency_id = @AgencyId AND year = @Year";
        return connection.QuerySingleOrDefaultAsync<ProposalQuota>(sql, new { AgencyId = agencyId, Year = year }, transaction);
    }

    /// <summary>The quotas of many agencies, keyed by (agency, year).</summary>
    public static async Task<IReadOnlyDictionary<(Guid AgencyId, int Year), ProposalQuota>> ForAgencies(DbConnection connection, ISqlDialect dialect, IReadOnlyCollection<Guid> agencyIds)
    {
        if (agencyIds.Count == 0)
        {
            return new Dictionary<(Guid, int), ProposalQuota>();
        }
        const string sql = $"SELECT {Columns} FROM agency_proposal_quotas WHERE agency_id IN @Ids";
        return (await connection.QueryAsync<ProposalQuota>(sql, new { Ids = dialect.IdList(agencyIds) })).ToDictionary(q => (q.AgencyId, q.Year));
    }
}
