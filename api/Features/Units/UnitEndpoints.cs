using Microsoft.AspNetCore.Mvc;
using FluentValidation;
using ZonaIntegritas.Api.Features.Audit;
using ZonaIntegritas.Api.Features.Agencies;

namespace ZonaIntegritas.Api.Features.Units;

public sealed record WorkUnit
{
    public Guid Id { get; init; }
    public Guid AgencyId { get; init; }
    public string Code { get; init; } = "";
    public string Name { get; init; } = "";
    public Guid? ParentUnitId { get; init; }
    [Vocabulary(typeof(UnitRules), nameof(UnitRules.Kinds))]
    public string Kind { get; init; } = "";
    public bool ProvidesPublicService { get; init; }
    public int EmployeeCount { get; init; }
    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset UpdatedAt { get; init; }
}

public sealed record CreateUnitRequest(Guid? AgencyId, string? Code, string? Name, Guid? ParentUnitId, string? Kind, bool? ProvidesPublicService, int? EmployeeCount)
    : IHasExample<CreateUnitRequest>
{
    public static CreateUnitRequest Example => new(Guid.Parse("3f2b8c1e-6d4a-4f7e-9a51-2c8e7d9b0a11"), "BIRO-01", "Biro Perencanaan Anggaran", null, "biro", true, 85);
}

public sealed record UpdateUnitRequest(string? Code, string? Name, Guid? ParentUnitId, string? Kind, bool? ProvidesPublicService, int? EmployeeCount)
    : IHasExample<UpdateUnitRequest>
{
    public static UpdateUnitRequest Example => new("BIRO-01", "Biro Perencanaan Anggaran dan Kerja Sama", null, "biro", true, 90);
}

public sealed class CreateUnitRequestValidator : AbstractValidator<CreateUnitRequest>
{
    public CreateUnitRequestValidator()
    {
        RuleFor(r => r.AgencyId).NotEmpty();
        UnitRules.Apply(this, r => r.Code, r => r.Name, r => r.Kind, r => r.ProvidesPublicService, r => r.EmployeeCount);
    }
}

public sealed class UpdateUnitRequestValidator : AbstractValidator<UpdateUnitRequest>
{
    public UpdateUnitRequestValidator() =>
        UnitRules.Apply(this, r => r.Code, r => r.Name, r => r.Kind, r => r.ProvidesPublicService, r => r.EmployeeCount);
}

public sealed record UnitListQuery([FromQuery(Name = "agencyId")] Guid? AgencyId, [FromQuery(Name = "q")] string? Q, [FromQuery(Name = "page")] int? Page, [FromQuery(Name = "pageSize")] int? PageSize) : IPagedQuery;

public sealed class UnitListQueryValidator : PagedQueryValidator<UnitListQuery>
{
    public UnitListQueryValidator()
    {
        RuleFor(q => q.Q).MaximumLength(200).WithMessage("q must be at most 200 characters.");
    }
}

public static class UnitEndpoints
{

    public static RouteGroupBuilder MapUnits(this RouteGroupBuilder api)
    {
        var group = api.MapGroup("/units").WithTags("Work units").WithValidation();

        group.MapPost("/", CreateUnit).RequireAuthorization(Policies.Admin)
            .WithName(nameof(CreateUnit))
            .WithSummary("Register a work unit (unit kerja)")
            .WithDescription("Admin only. `code` is unique within the agency; `parentUnitId`, when given, must be a unit of the same agency.")
            .ProducesProblem(StatusCodes.Status409Conflict);
        group.MapGet("/", ListUnits)
            .WithName(nameof(ListUnits))
            .WithSummary("List work units")
            .WithDescription("Filters: `agencyId`, `q` (part of the code or name, case-insensitive). Sorted by code; `pageSize` at most 200. A unit key sees only its unit.");
        group.MapGet("/{id:guid}", GetUnit)
            .WithName(nameof(GetUnit))
            .WithSummary("Read one work unit")
            .ProducesProblem(StatusCodes.Status404NotFound);
        group.MapPut("/{id:guid}", UpdateUnit).RequireAuthorization(Policies.Admin)
            .WithName(nameof(UpdateUnit))
            .WithSummary("Change a work unit")
            .WithDescription("Admin only. The agency cannot change. A new parent must be in the same agency and must not make the hierarchy circular.")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);
        return api;
    }

    public static async Task<Results<Created<WorkUnit>, ValidationProblem, ProblemHttpResult>> CreateUnit(
        CreateUnitRequest request, Caller caller, DbConnectionFactory db, TimeProvider time, CancellationToken cancellationToken)
    {
        request = request with { Code = NormalizedText.Of(request.Code), Name = NormalizedText.Of(request.Name) };
        await using var connection = await db.OpenAsync(cancellationToken);
        if (await AgencyQueries.Find(connection, request.AgencyId!.Value) is null)
        {
            return Problems.Invalid("agencyId", $"Agency '{request.AgencyId}' does not exist.");
        }
        if (request.ParentUnitId is { } parentId && await UnitQueries.Find(connection, parentId) is var parent && parent?.AgencyId != request.AgencyId)
        {
            return Problems.Invalid("parentUnitId", $"Parent unit '{parentId}' does not exist in agency '{request.AgencyId}'.");
        }
        var now = time.GetUtcNow();
        var unit = new WorkUnit
        {
            Id = Guid.NewGuid(),
            AgencyId = request.AgencyId!.Value,
            Code = request.Code!,
            Name = request.Name!,
            ParentUnitId = request.ParentUnitId,
            Kind = request.Kind!,
            ProvidesPublicService = request.ProvidesPublicService!.Value,
            EmployeeCount = request.EmployeeCount!.Value,
            CreatedAt = now,
            UpdatedAt = now,
        };
        const string sql = $"""
            INSERT INTO units ({UnitQueries.Columns})
            VALUES (@Id, @AgencyId, @Code, @Name, @ParentUnitId, @Kind, @ProvidesPublicService, @EmployeeCount, @CreatedAt, @UpdatedAt)
            """;
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var conflict = await transaction.CommitOrConflictAsync(db.Dialect, async () =>
        {
            await connection.ExecuteAsync(sql, unit, transaction);
            await connection.AuditAsync(transaction, caller, new AuditChange("unit.created", "unit", unit.Id.ToString(), unit.AgencyId, unit.Id,
                new { unit.Code, unit.Name, unit.ParentUnitId, unit.Kind, unit.ProvidesPublicService, unit.EmployeeCount }));
        }, () => CodeConflict(connection, unit.AgencyId, unit.Code), cancellationToken);
        return conflict is null ? TypedResults.Created($"/api/v1/units/{unit.Id}", unit) : conflict;
    }

    public static async Task<Results<Ok<Page<WorkUnit>>, ValidationProblem>> ListUnits(
        Caller caller, DbConnectionFactory db, [AsParameters] UnitListQuery query, CancellationToken cancellationToken)
    {
        var paging = ((IPagedQuery)query).Paging;
        if (query.AgencyId is { } requested && !caller.CanSeeAgency(requested))
        {
            return TypedResults.Ok(new Page<WorkUnit>([], paging.Page, paging.PageSize, 0));
        }
        var filter = new
        {
            AgencyId = query.AgencyId ?? caller.ScopeAgencyId,
            OnlyUnitId = caller.ScopeUnitId,
            Pattern = string.IsNullOrWhiteSpace(query.Q) ? null : "%" + EscapeLike(query.Q.Trim()) + "%",
                    };
        const string where = """
            WHERE (@AgencyId IS NULL OR agency_id = @AgencyId)
              AND (@OnlyUnitId IS NULL OR id = @OnlyUnitId)
              AND (@Pattern IS NULL OR code LIKE @Pattern ESCAPE '\' OR name LIKE @Pattern ESCAPE '\')
            """;
        const string count = $"SELECT COUNT(*) FROM units {where}";
        const string select = $"""
            SELECT {UnitQueries.Columns} FROM units
            {where}
            ORDER BY code, id
            """;
        await using var connection = await db.OpenAsync(cancellationToken);
        return TypedResults.Ok(await connection.QueryPageAsync<WorkUnit>(db.Dialect, count, select, filter, paging));
    }

    public static async Task<Results<Ok<WorkUnit>, ProblemHttpResult>> GetUnit(
        Guid id, Caller caller, DbConnectionFactory db, CancellationToken cancellationToken)
    {
        await using var connection = await db.OpenAsync(cancellationToken);
        var unit = await UnitQueries.Find(connection, id);
        return unit is not null && caller.CanSeeUnit(unit.Id, unit.AgencyId) ? TypedResults.Ok(unit) : Problems.NotFound("Unit", id);
    }

    public static async Task<Results<Ok<WorkUnit>, ValidationProblem, ProblemHttpResult>> UpdateUnit(
        Guid id, UpdateUnitRequest request, Caller caller, DbConnectionFactory db, TimeProvider time, CancellationToken cancellationToken)
    {
        request = request with { Code = NormalizedText.Of(request.Code), Name = NormalizedText.Of(request.Name) };
        await using var connection = await db.OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var unit = await UnitQueries.Find(connection, id, transaction);
        if (unit is null)
        {
            return Problems.NotFound("Unit", id);
        }
        if (request.ParentUnitId is { } parentId)
        {
            var parent = await UnitQueries.Find(connection, parentId, transaction);
            if (parent is null || parent.AgencyId != unit.AgencyId)
            {
                return Problems.Invalid("parentUnitId", $"Parent unit '{parentId}' does not exist in agency '{unit.AgencyId}'.");
            }
            if (await IsAncestorOrSelf(connection, transaction, id, parentId))
            {
                return Problems.Invalid("parentUnitId", $"Unit '{parentId}' is '{unit.Code}' itself or one of its descendants; the hierarchy would become circular.");
            }
        }
        const string sql = """
            UPDATE units
            SET code = @Code, name = @Name, parent_unit_id = @ParentUnitId, kind = @Kind,
                provides_public_service = @ProvidesPublicService, employee_count = @EmployeeCount, updated_at = @UpdatedAt
            WHERE id = @Id
            """;
        WorkUnit updated = null!;
        var conflict = await transaction.CommitOrConflictAsync(db.Dialect, async () =>
        {
            await connection.ExecuteAsync(sql, new
            {
                Id = id,
                request.Code,
                request.Name,
                request.ParentUnitId,
                request.Kind,
                ProvidesPublicService = request.ProvidesPublicService!.Value,
                EmployeeCount = request.EmployeeCount!.Value,
                UpdatedAt = time.GetUtcNow(),
            }, transaction);
            updated = (await UnitQueries.Find(connection, id, transaction))!;
            await connection.AuditAsync(transaction, caller, new AuditChange("unit.updated", "unit", id.ToString(), unit.AgencyId, id, AuditTrail.Diff(
                ("code", unit.Code, updated.Code), ("name", unit.Name, updated.Name), ("parentUnitId", unit.ParentUnitId, updated.ParentUnitId),
                ("kind", unit.Kind, updated.Kind), ("providesPublicService", unit.ProvidesPublicService, updated.ProvidesPublicService),
                ("employeeCount", unit.EmployeeCount, updated.EmployeeCount))));
        }, () => CodeConflict(connection, unit.AgencyId, request.Code!), cancellationToken);
        return conflict is null ? TypedResults.Ok(updated) : conflict;
    }

    /// <summary>Walks up from <paramref name="candidate"/>; true when it reaches <paramref name="unitId"/>.</summary>
    private static async Task<bool> IsAncestorOrSelf(DbConnection connection, DbTransaction transaction, Guid unitId, Guid candidate)
    {
        const string sql = "SELECT parent_unit_id FROM units WHERE id = @Id";
        Guid? current = candidate;
        for (var depth = 0; current is { } id && depth < 1000; depth++)
        {
            if (id == unitId)
            {
                return true;
            }
            current = await connection.ExecuteScalarAsync<Guid?>(sql, new { Id = id }, transaction);
        }
        return false;
    }

    private static string EscapeLike(string value) => value.Replace("\\", "\\\\").Replace("%", "\\%").Replace("_", "\\_");

    private static async Task<ProblemHttpResult> CodeConflict(DbConnection connection, Guid agencyId, string code)
    {
        const string sql = "SELECT id FROM units WHERE agency_id = @AgencyId AND code = @Code";
        var existing = await connection.ExecuteScalarAsync<Guid?>(sql, new { AgencyId = agencyId, Code = code });
        return Problems.Conflict($"A unit with code '{code}' already exists in this agency ({existing}).",
            new Dictionary<string, object?> { ["existingUnitId"] = existing });
    }
}
