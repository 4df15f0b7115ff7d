using ZonaIntegritas.Api.Features.Frameworks;
using Microsoft.AspNetCore.Mvc;
using FluentValidation;
using ZonaIntegritas.Api.Features.Audit;
using ZonaIntegritas.Api.Features.Units;

namespace ZonaIntegritas.Api.Features.Designations;

/// <summary>
/// A WBK or WBBM predikat granted by decree. <c>active</c> is false once revoked or once a WBBM replaced this WBK.
/// <c>eligibleAgainOn</c> is the day the unit may be proposed again after a revocation (revokedOn + 2 years).
/// </summary>
public sealed record Designation
{
    public Guid Id { get; init; }
    public Guid UnitId { get; init; }
    public Guid AgencyId { get; init; }
    public string Predikat { get; init; } = "";
    public string DecreeNumber { get; init; } = "";
    public DateOnly DecreeDate { get; init; }
    public Guid AssessmentId { get; init; }
    public DateTimeOffset CreatedAt { get; init; }
    public Guid? SupersededBy { get; init; }
    public DateOnly? RevokedOn { get; init; }
    public string? RevocationReason { get; init; }
    public string? RevocationDecreeNumber { get; init; }
    public bool Active => RevokedOn is null && SupersededBy is null;
    public DateOnly? EligibleAgainOn => RevokedOn?.AddYears(DesignationRules.RevocationBanYears);
}

public sealed record RevocationRequest(string? Reason, string? DecreeNumber, DateOnly? RevokedOn) : IHasExample<RevocationRequest>
{
    public static RevocationRequest Example => new("Temuan pungutan liar oleh pegawai layanan", "SK MENPANRB 210/2026", new DateOnly(2026, 11, 2));
}

public sealed class RevocationRequestValidator : AbstractValidator<RevocationRequest>
{
    public RevocationRequestValidator(TimeProvider time)
    {
        RuleFor(r => r.Reason).NotEmpty().MaximumLength(2000);
        RuleFor(r => NormalizedText.Of(r.DecreeNumber)).NotEmpty().MaximumLength(200).OverridePropertyName("DecreeNumber");
        RuleFor(r => r.RevokedOn).NotNull().Must(d => d <= IndonesiaClock.Today(time)).WithMessage("revokedOn must not be in the future.")
            .Must(d => d >= IndonesiaClock.EarliestZiEvent).WithMessage($"revokedOn must be on or after {IndonesiaClock.EarliestZiEvent:yyyy-MM-dd}.");
    }
}

public sealed record DesignationListQuery([FromQuery(Name = "agencyId")] Guid? AgencyId, [FromQuery(Name = "predikat"), Vocabulary(typeof(Frameworks.Predikat), nameof(Frameworks.Predikat.All))] string? Predikat, [FromQuery(Name = "active")] bool? Active, [FromQuery(Name = "page")] int? Page, [FromQuery(Name = "pageSize")] int? PageSize) : IPagedQuery;

public sealed class DesignationListQueryValidator : PagedQueryValidator<DesignationListQuery>
{
    public DesignationListQueryValidator()
    {
        RuleFor(q => q.Predikat).OneOf(Predikat.All).WithMessage(Predikat.Invalid);
    }
}

public static class DesignationEndpoints
{
    public static RouteGroupBuilder MapDesignations(this RouteGroupBuilder api)
    {
        api.MapGet("/units/{unitId:guid}/designations", ListUnitDesignations)
            .WithTags("Designations (predikat)")
            .WithName(nameof(ListUnitDesignations))
            .WithSummary("A unit's WBK/WBBM designations, newest first, active or not")
            .ProducesProblem(StatusCodes.Status404NotFound);
        var group = api.MapGroup("/designations").WithTags("Designations (predikat)").WithValidation();
        group.MapGet("/", ListDesignations)
            .WithName(nameof(ListDesignations))
            .WithSummary("List designations")
            .WithDescription("Filters: `agencyId`, `predikat` (WBK, WBBM), `active` (true, false). Newest decree first.");
        group.MapPost("/{id:guid}/revocation", RevokeDesignation).RequireAuthorization(Policies.Decide)
            .WithName(nameof(RevokeDesignation))
            .WithSummary("Revoke a designation")
            .WithDescription("Evaluator or admin. The designation becomes inactive and the unit cannot be proposed until revokedOn + 2 years. Revoking a WBBM does not bring back the WBK it replaced.")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);
        return api;
    }

    public static async Task<Results<Ok<IReadOnlyList<Designation>>, ProblemHttpResult>> ListUnitDesignations(
        Guid unitId, Caller caller, DbConnectionFactory db, CancellationToken cancellationToken)
    {
        await using var connection = await db.OpenAsync(cancellationToken);
        var unit = await UnitQueries.Find(connection, unitId);
        if (unit is null || !caller.CanSeeUnit(unit.Id, unit.AgencyId))
        {
            return Problems.NotFound("Unit", unitId);
        }
        const string sql = $"SELECT {DesignationRules.Columns} FROM designations WHERE unit_id = @UnitId ORDER BY decree_date DESC, created_at DESC";
        return TypedResults.Ok<IReadOnlyList<Designation>>((await connection.QueryAsync<Designation>(sql, new { UnitId = unitId })).AsList());
    }

    public static async Task<Results<Ok<Page<Designation>>, ValidationProblem>> ListDesignations(
        Caller caller, DbConnectionFactory db, [AsParameters] DesignationListQuery query, CancellationToken cancellationToken)
    {
        var paging = ((IPagedQuery)query).Paging;
        if (query.AgencyId is { } requested && !caller.CanSeeAgency(requested))
        {
            return TypedResults.Ok(new Page<Designation>([], paging.Page, paging.PageSize, 0));
        }
        var filter = new
        {
            AgencyId = query.AgencyId ?? caller.ScopeAgencyId,
            UnitId = caller.ScopeUnitId,
            Predikat = query.Predikat,
            Active = query.Active,
        };
        const string where = """
            WHERE (@AgencyId IS NULL OR agency_id = @AgencyId)
              AND (@UnitId IS NULL OR unit_id = @UnitId)
              AND (@Predikat IS NULL OR predikat = @Predikat)
              AND (@Active IS NULL
                   OR (@Active = 1 AND revoked_on IS NULL AND superseded_by IS NULL)
                   OR (@Active = 0 AND (revoked_on IS NOT NULL OR superseded_by IS NOT NULL)))
            """;
        const string count = $"SELECT COUNT(*) FROM designations {where}";
        const string select = $"""
            SELECT {DesignationRules.Columns} FROM designations
            {where}
            ORDER BY decree_date DESC, id
            """;
        await using var connection = await db.OpenAsync(cancellationToken);
        return TypedResults.Ok(await connection.QueryPageAsync<Designation>(db.Dialect, count, select, filter, paging));
    }

    public static async Task<Results<Ok<Designation>, ValidationProblem, ProblemHttpResult>> RevokeDesignation(
        Guid id, RevocationRequest request, Caller caller, DbConnectionFactory db, TimeProvider time, CancellationToken cancellationToken)
    {
        request = request with { DecreeNumber = NormalizedText.Of(request.DecreeNumber) };
        await using var connection = await db.OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        const string find = $"SELECT {DesignationRules.Columns} FROM designations WHERE id = @Id";
        var designation = await connection.QuerySingleOrDefaultAsync<Designation>(find, new { Id = id }, transaction);
        if (designation is null || !caller.CanSeeAgency(designation.AgencyId))
        {
            return Problems.NotFound("Designation", id);
        }
        if (designation.RevokedOn is { } revokedOn)
        {
            return Problems.Conflict($"Designation '{id}' was already revoked on {revokedOn:yyyy-MM-dd}.");
        }
        if (request.RevokedOn < designation.DecreeDate)
        {
            return Problems.Invalid("revokedOn", $"revokedOn must not be before the decree date {designation.DecreeDate:yyyy-MM-dd}.");
        }
        const string revoke = """
            UPDATE designations
            SET revoked_on = @RevokedOn, revocation_reason = @Reason, revocation_decree_number = @DecreeNumber, revoked_at = @Now, revoked_by = @By
            WHERE id = @Id AND revoked_on IS NULL
            """;
        await connection.ExecuteAsync(revoke, new { Id = id, request.RevokedOn, request.Reason, request.DecreeNumber, Now = time.GetUtcNow(), By = caller.KeyId }, transaction);
        var revoked = (await connection.QuerySingleAsync<Designation>(find, new { Id = id }, transaction));
        await connection.AuditAsync(transaction, caller, new AuditChange("designation.revoked", "designation", id.ToString(), designation.AgencyId, designation.UnitId,
            AuditTrail.Diff(("revokedOn", null, request.RevokedOn), ("revocationReason", null, request.Reason), ("revocationDecreeNumber", null, request.DecreeNumber))));
        await transaction.CommitAsync(cancellationToken);
        return TypedResults.Ok(revoked);
    }
}
