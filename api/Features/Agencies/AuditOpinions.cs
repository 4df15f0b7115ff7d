using System.Data.Common;
using System.Globalization;
using Dapper;
using FluentValidation;
using Microsoft.AspNetCore.Http.HttpResults;
using ZonaIntegritas.Api.Auth;
using ZonaIntegritas.Api.Data;
using ZonaIntegritas.Api.Domain;
using ZonaIntegritas.Api.Features.Audit;
using ZonaIntegritas.Api.Http;
using ZonaIntegritas.Api.Http.OpenApi;

namespace ZonaIntegritas.Api.Features.Agencies;

/// <summary>The BPK's opinion (opini BPK) on an agency's financial report for one fiscal year.</summary>
public sealed record AuditOpinion
{
    public Guid AgencyId { get; init; }
    public int Year { get; init; }
    [Vocabulary(typeof(AuditOpinionRequestValidator), nameof(AuditOpinionRequestValidator.Opinions))]
    public string Opinion { get; init; } = "";
    public string ReportNumber { get; init; } = "";
    public DateOnly IssuedOn { get; init; }
    public DateTimeOffset UpdatedAt { get; init; }
}

/// <summary>WTP wajar tanpa pengecualian, WDP wajar dengan pengecualian, TW tidak wajar, TMP tidak menyatakan pendapat.</summary>
public sealed record AuditOpinionRequest(string? Opinion, string? ReportNumber, DateOnly? IssuedOn) : IHasExample<AuditOpinionRequest>
{
    public static AuditOpinionRequest Example => new("WTP", "25/LHP/XV/05/2026", new DateOnly(2026, 5, 20));
}

public sealed class AuditOpinionRequestValidator : AbstractValidator<AuditOpinionRequest>
{
    public static readonly string[] Opinions = ["WTP", "WDP", "TW", "TMP"];

    public AuditOpinionRequestValidator(TimeProvider time)
    {
        RuleFor(r => r.Opinion).NotEmpty().OneOf(Opinions).WithMessage("opinion must be one of: WTP, WDP, TW, TMP.");
        RuleFor(r => NormalizedText.Of(r.ReportNumber)).NotEmpty().MaximumLength(200).OverridePropertyName("ReportNumber");
        RuleFor(r => r.IssuedOn).NotNull().Must(d => d <= IndonesiaClock.Today(time)).WithMessage("issuedOn must not be in the future.")
            .Must(d => d >= IndonesiaClock.EarliestZiEvent).WithMessage($"issuedOn must be on or after {IndonesiaClock.EarliestZiEvent:yyyy-MM-dd}.");
    }
}

public static class AuditOpinions
{
    /// <summary>KemenPANRB's current rule: only an unqualified opinion allows proposals (WDP no longer suffices).</summary>
    public const string RequiredForProposal = "WTP";

    public static RouteGroupBuilder MapAuditOpinions(this RouteGroupBuilder api)
    {
        var group = api.MapGroup("/agencies/{id:guid}/audit-opinions").WithTags("Agencies").WithValidation();
        group.MapPut("/{year:int}", PutAuditOpinion).RequireAuthorization(Policies.ManageDeclarations)
            .WithName(nameof(PutAuditOpinion))
            .WithSummary("Record the BPK audit opinion (opini BPK) on the agency's financial report of a fiscal year")
            .WithDescription("""
                Admin or the agency's inspectorate. Proposing a unit for year Y needs a WTP opinion for fiscal year Y-1 (KemenPANRB's
                current rule; WDP no longer suffices). `issuedOn` (the LHP date) must fall after the fiscal year and not in the future.
                Replaces an opinion recorded earlier for the year (audited with before and after).
                """)
            .Accepts<AuditOpinionRequest>("application/json")
            .Produces<AuditOpinion>(StatusCodes.Status200OK, "application/json")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound);
        group.MapGet("/", ListAuditOpinions)
            .WithName(nameof(ListAuditOpinions))
            .WithSummary("The agency's recorded audit opinions, newest fiscal year first")
            .ProducesProblem(StatusCodes.Status404NotFound);
        group.MapGet("/{year:int}", GetAuditOpinion)
            .WithName(nameof(GetAuditOpinion))
            .WithSummary("The agency's audit opinion for one fiscal year")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound);
        return api;
    }

    public static async Task<Results<Ok<AuditOpinion>, ValidationProblem, ProblemHttpResult>> PutAuditOpinion(
        Guid id, int year, AuditOpinionRequest request, Caller caller, DbConnectionFactory db, CancellationToken cancellationToken)
    {
        if (YearRules.Invalid(year) is { } invalid)
        {
            return invalid;
        }
        if (request.IssuedOn!.Value.Year <= year)
        {
            return Problems.Invalid("issuedOn", $"issuedOn {request.IssuedOn:yyyy-MM-dd} is within fiscal year {year}; the BPK reports on a year after it ends.");
        }
        await using var connection = await db.OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        if (!caller.CanSeeAgency(id) || await AgencyQueries.Find(connection, id, transaction) is null)
        {
            return Problems.NotFound("Agency", id);
        }
        var before = await Find(connection, id, year, transaction);
        var opinion = new AuditOpinion
        {
            AgencyId = id, Year = year, Opinion = request.Opinion!, ReportNumber = NormalizedText.Of(request.ReportNumber)!, IssuedOn = request.IssuedOn.Value,
            UpdatedAt = caller.At,
        };
        const string update = """
            UPDATE agency_audit_opinions SET opinion = @Opinion, report_number = @ReportNumber, issued_on = @IssuedOn, updated_at = @UpdatedAt, updated_by = @By
            WHERE agency_id = @AgencyId AND year = @Year
            """;
        const string insert = """
            INSERT INTO agency_audit_opinions (agency_id, year, opinion, report_number, issued_on, updated_at, updated_by)
            VALUES (@AgencyId, @Year, @Opinion, @ReportNumber, @IssuedOn, @UpdatedAt, @By)
            """;
        var values = new { opinion.AgencyId, opinion.Year, opinion.Opinion, opinion.ReportNumber, opinion.IssuedOn, opinion.UpdatedAt, By = caller.KeyId };
        if (await connection.ExecuteAsync(update, values, transaction) == 0)
        {
            await connection.ExecuteAsync(insert, values, transaction);
        }
        await connection.AuditAsync(transaction, caller, new AuditChange("audit_opinion.set", "audit_opinion", $"{id}/{year.ToString(CultureInfo.InvariantCulture)}", id,
            Changes: AuditTrail.Diff(("opinion", before?.Opinion, opinion.Opinion), ("reportNumber", before?.ReportNumber, opinion.ReportNumber),
                ("issuedOn", before?.IssuedOn, opinion.IssuedOn))));
        await transaction.CommitAsync(cancellationToken);
        return TypedResults.Ok(opinion);
    }

    public static async Task<Results<Ok<IReadOnlyList<AuditOpinion>>, ProblemHttpResult>> ListAuditOpinions(
        Guid id, Caller caller, DbConnectionFactory db, CancellationToken cancellationToken)
    {
        await using var connection = await db.OpenAsync(cancellationToken);
        if (!caller.CanSeeAgency(id) || await AgencyQueries.Find(connection, id) is null)
        {
            return Problems.NotFound("Agency", id);
        }
        const string sql = $"SELECT {Columns} FROM agency_audit_opinions WHERE agency_id = @AgencyId ORDER BY year DESC";
        return TypedResults.Ok<IReadOnlyList<AuditOpinion>>((await connection.QueryAsync<AuditOpinion>(sql, new { AgencyId = id })).AsList());
    }

    public static async Task<Results<Ok<AuditOpinion>, ValidationProblem, ProblemHttpResult>> GetAuditOpinion(
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
        return await Find(connection, id, year) is { } opinion ? TypedResults.Ok(opinion)
            : Problems.NotFound($"No audit opinion is recorded for agency '{id}' and fiscal year {year}.");
    }

    private const string Columns = "agency_id, year, opinion, report_number, issued_on, updated_at";

    /// <summary>The opinion of one agency and fiscal year, or null.</summary>
    public static Task<AuditOpinion?> Find(DbConnection connection, Guid agencyId, int year, DbTransaction? transaction = null)
    {
        const string sql = $"SELECT {Columns} FROM agency_audit_opinions WHERE agency_id = @AgencyId AND year = @Year";
        return connection.QuerySingleOrDefaultAsync<AuditOpinion>(sql, new { AgencyId = agencyId, Year = year }, transaction);
    }

    /// <summary>The opinions of many agencies for their units' prior years, keyed by (agency, fiscal year).</summary>
    public static async Task<IReadOnlyDictionary<(Guid AgencyId, int Year), AuditOpinion>> ForAgencies(DbConnection connection, ISqlDialect dialect, IReadOnlyCollection<Guid> agencyIds)
    {
        if (agencyIds.Count == 0)
        {
            return new Dictionary<(Guid, int), AuditOpinion>();
        }
        const string sql = $"SELECT {Columns} FROM agency_audit_opinions WHERE agency_id IN @Ids";
        return (await connection.QueryAsync<AuditOpinion>(sql, new { Ids = dialect.IdList(agencyIds) })).ToDictionary(o => (o.AgencyId, o.Year));
    }
}
