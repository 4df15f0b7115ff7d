using FluentValidation;
using Microsoft.AspNetCore.Mvc;
using ZonaIntegritas.Api.Features.Audit;
using ZonaIntegritas.Api.Features.Agencies;
using ZonaIntegritas.Api.Features.Units;

namespace ZonaIntegritas.Api.Features.Declarations;

public sealed record DeclarationListQuery([FromQuery(Name = "agencyId")] Guid? AgencyId, [FromQuery(Name = "year")] int? Year, [FromQuery(Name = "page")] int? Page, [FromQuery(Name = "pageSize")] int? PageSize) : IPagedQuery;

public sealed class DeclarationListQueryValidator : PagedQueryValidator<DeclarationListQuery>
{
    public DeclarationListQueryValidator()
    {
        RuleFor(q => q.Year).ValidYear();
    }
}

public static class DeclarationEndpoints
{
    public static RouteGroupBuilder MapDeclarations(this RouteGroupBuilder api)
    {
        var group = api.MapGroup("/declarations").WithTags("Declarations (pencanangan)").WithValidation();

        group.MapPost("/", DeclareUnits).RequireAuthorization(Policies.ManageDeclarations)
            .WithName(nameof(DeclareUnits))
            .WithSummary("Record a pencanangan ZI ceremony declaring one or more units")
            .WithDescription("""
                Admin or the agency's inspectorate. One ceremony declares 1 to 200 units of the agency, each with the head who signed,
                witnessed by the listed officials. All or nothing: if any unit is invalid (400, naming the field such as `units[3].head.nip`)
                or already has an active declaration (409, naming the unit and its existing declaration), nothing is written.
                """)
            .ProducesProblem(StatusCodes.Status409Conflict);
        group.MapGet("/", ListDeclarations)
            .WithName(nameof(ListDeclarations))
            .WithSummary("List declarations")
            .WithDescription("Filters: `agencyId`, `year` (of `declaredOn`). Newest first. A unit key sees the declarations that include its unit.");
        group.MapGet("/{id:guid}", GetDeclaration)
            .WithName(nameof(GetDeclaration))
            .WithSummary("Read a declaration with its units, heads and witnesses")
            .ProducesProblem(StatusCodes.Status404NotFound);
        group.MapPost("/{id:guid}/units/{unitId:guid}/withdrawal", WithdrawUnit).RequireAuthorization(Policies.ManageDeclarations)
            .WithName(nameof(WithdrawUnit))
            .WithSummary("Withdraw one unit's declaration")
            .WithDescription("Admin or the agency's inspectorate, with a reason. The unit may then be declared again; the withdrawn entry stays in the record.")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);

        api.MapGet("/units/{unitId:guid}/declaration", GetUnitDeclaration)
            .WithTags("Declarations (pencanangan)")
            .WithName(nameof(GetUnitDeclaration))
            .WithSummary("Read the unit's active declaration")
            .ProducesProblem(StatusCodes.Status404NotFound);
        return api;
    }

    public static async Task<Results<Created<Declaration>, ValidationProblem, ProblemHttpResult>> DeclareUnits(
        CreateDeclarationRequest request, Caller caller, DbConnectionFactory db, TimeProvider time, CancellationToken cancellationToken)
    {
        var agencyId = request.AgencyId!.Value;
        var requested = request.Units!.Select(u => u!).ToList();
        var unitIds = requested.Select(u => u.UnitId!.Value).ToArray();

        await using var connection = await db.OpenAsync(cancellationToken);
        if (!caller.CanSeeAgency(agencyId) || await AgencyQueries.Find(connection, agencyId) is null)
        {
            return Problems.Invalid("agencyId", $"Agency '{agencyId}' does not exist.");
        }

        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        const string unitsSql = "SELECT id, agency_id FROM units WHERE id IN @Ids";
        var found = (await connection.QueryAsync<UnitAgency>(unitsSql, new { Ids = db.Dialect.IdList(unitIds) }, transaction)).ToDictionary(u => u.Id, u => u.AgencyId);
        var errors = new Dictionary<string, string[]>();
        for (var i = 0; i < unitIds.Length; i++)
        {
            if (!found.TryGetValue(unitIds[i], out var unitAgency) || unitAgency != agencyId)
            {
                errors[$"units[{i}].unitId"] = [$"Unit '{unitIds[i]}' is not a unit of agency '{agencyId}'."];
            }
        }
        if (errors.Count > 0)
        {
            return Problems.Invalid(errors);
        }
        if (await FindActiveConflicts(connection, transaction, db.Dialect, unitIds) is { } active)
        {
            return active;
        }

        var declarationId = Guid.NewGuid();
        var conflict = await transaction.CommitOrConflictAsync(db.Dialect,
            () => Insert(connection, transaction, caller, declarationId, request, requested, time.GetUtcNow()),
            // Another request declared one of these units between our check and our insert; the unique index caught it.
            async () => await FindActiveConflicts(connection, null, db.Dialect, unitIds)
                ?? Problems.Conflict("One of the units was declared by a concurrent request; retry to see which."),
            cancellationToken);
        if (conflict is not null)
        {
            return conflict;
        }

        var declaration = (await DeclarationQueries.Load(connection, declarationId))!;
        return TypedResults.Created($"/api/v1/declarations/{declarationId}", declaration);
    }


    /// <summary>The declaration, its units and witnesses, and one audit entry for the ceremony.</summary>
    private static async Task Insert(DbConnection connection, DbTransaction transaction, Caller caller, Guid declarationId,
        CreateDeclarationRequest request, List<DeclaredUnitRequest> requested, DateTimeOffset now)
    {
        const string insertDeclaration = """
            INSERT INTO declarations (id, agency_id, declared_on, place, publication_url, created_at, created_by)
            VALUES (@Id, @AgencyId, @DeclaredOn, @Place, @PublicationUrl, @CreatedAt, @CreatedBy)
            """;
        const string insertUnit = """
            INSERT INTO declaration_units (declaration_id, unit_id, ordinal, head_name, head_nip, head_position, withdrawn_at, withdrawn_by, withdrawal_reason)
            VALUES (@DeclarationId, @UnitId, @Ordinal, @HeadName, @HeadNip, @HeadPosition, NULL, NULL, NULL)
            """;
        const string insertWitness = """
            INSERT INTO declaration_witnesses (declaration_id, ordinal, name, position, institution)
            VALUES (@DeclarationId, @Ordinal, @Name, @Position, @Institution)
            """;
        await connection.ExecuteAsync(insertDeclaration, new
        {
            Id = declarationId,
            AgencyId = request.AgencyId!.Value,
            DeclaredOn = request.DeclaredOn!.Value,
            request.Place,
            request.PublicationUrl,
            CreatedAt = now,
            CreatedBy = caller.KeyId,
        }, transaction);
        await connection.ExecuteAsync(insertUnit, requested.Select((u, i) => new
        {
            DeclarationId = declarationId,
            UnitId = u.UnitId!.Value,
            Ordinal = i,
            HeadName = u.Head!.Name,
            HeadNip = u.Head.Nip,
            HeadPosition = u.Head.Position,
        }), transaction);
        await connection.ExecuteAsync(insertWitness, (request.Witnesses ?? []).Select((w, i) => new
        {
            DeclarationId = declarationId,
            Ordinal = i,
            w!.Name,
            w.Position,
            w.Institution,
        }), transaction);
        // One entry for the ceremony; it names the agency, so every unit of the agency counts as changed.
        await connection.AuditAsync(transaction, caller, new AuditChange("declaration.created", "declaration", declarationId.ToString(), request.AgencyId!.Value, Changes: new
        {
            DeclaredOn = request.DeclaredOn!.Value,
            request.Place,
            Units = requested.Select(u => new { u.UnitId, HeadName = u.Head!.Name, HeadNip = u.Head.Nip }),
            Witnesses = (request.Witnesses ?? []).Count,
        }));
    }

    public static async Task<Results<Ok<Page<Declaration>>, ValidationProblem>> ListDeclarations(
        Caller caller, DbConnectionFactory db, [AsParameters] DeclarationListQuery query, CancellationToken cancellationToken)
    {
        var paging = ((IPagedQuery)query).Paging;
        if (query.AgencyId is { } requested && !caller.CanSeeAgency(requested))
        {
            return TypedResults.Ok(new Page<Declaration>([], paging.Page, paging.PageSize, 0));
        }
        var filter = new
        {
            AgencyId = query.AgencyId ?? caller.ScopeAgencyId,
            OnlyUnitId = caller.ScopeUnitId,
            From = query.Year is { } y ? new DateOnly(y, 1, 1) : (DateOnly?)null,
            To = query.Year is { } y2 ? new DateOnly(y2, 12, 31) : (DateOnly?)null,
        };
        const string where = """
            WHERE (@AgencyId IS NULL OR d.agency_id = @AgencyId)
              AND (@From IS NULL OR d.declared_on >= @From)
              AND (@To IS NULL OR d.declared_on <= @To)
              AND (@OnlyUnitId IS NULL OR EXISTS (SELECT 1 FROM declaration_units du WHERE du.declaration_id = d.id AND du.unit_id = @OnlyUnitId))
            """;
        const string count = $"SELECT COUNT(*) FROM declarations d {where}";
        const string select = $"""
            SELECT d.id FROM declarations d
            {where}
            ORDER BY d.declared_on DESC, d.id
            """;
        await using var connection = await db.OpenAsync(cancellationToken);
        var ids = await connection.QueryPageAsync<Guid>(db.Dialect, count, select, filter, paging);
        var items = new List<Declaration>(ids.Items.Count);
        foreach (var id in ids.Items)
        {
            items.Add((await DeclarationQueries.Load(connection, id))!);
        }
        return TypedResults.Ok(new Page<Declaration>(items, ids.PageNumber, ids.PageSize, ids.Total));
    }

    public static async Task<Results<Ok<Declaration>, ProblemHttpResult>> GetDeclaration(
        Guid id, Caller caller, DbConnectionFactory db, CancellationToken cancellationToken)
    {
        await using var connection = await db.OpenAsync(cancellationToken);
        var declaration = await DeclarationQueries.Load(connection, id);
        return declaration is not null && CanSee(caller, declaration) ? TypedResults.Ok(declaration) : Problems.NotFound("Declaration", id);
    }

    public static async Task<Results<Ok<Declaration>, ProblemHttpResult>> GetUnitDeclaration(
        Guid unitId, Caller caller, DbConnectionFactory db, CancellationToken cancellationToken)
    {
        await using var connection = await db.OpenAsync(cancellationToken);
        var unit = await UnitQueries.Find(connection, unitId);
        if (unit is null || !caller.CanSeeUnit(unit.Id, unit.AgencyId))
        {
            return Problems.NotFound("Unit", unitId);
        }
        const string sql = "SELECT declaration_id FROM declaration_units WHERE unit_id = @UnitId AND withdrawn_at IS NULL";
        var declarationId = await connection.ExecuteScalarAsync<Guid?>(sql, new { UnitId = unitId });
        return declarationId is { } found
            ? TypedResults.Ok((await DeclarationQueries.Load(connection, found))!)
            : Problems.NotFound($"Unit '{unit.Code}' ({unitId}) has no active declaration.");
    }

    public static async Task<Results<Ok<Declaration>, ValidationProblem, ProblemHttpResult>> WithdrawUnit(
        Guid id, Guid unitId, WithdrawalRequest request, Caller caller, DbConnectionFactory db, TimeProvider time, CancellationToken cancellationToken)
    {
        await using var connection = await db.OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        const string find = """
            SELECT d.agency_id, du.withdrawn_at
            FROM declarations d JOIN declaration_units du ON du.declaration_id = d.id
            WHERE d.id = @Id AND du.unit_id = @UnitId
            """;
        var entry = await connection.QuerySingleOrDefaultAsync<DeclaredUnitState>(find, new { Id = id, UnitId = unitId }, transaction);
        if (entry is null || !caller.CanSeeAgency(entry.AgencyId))
        {
            return Problems.NotFound($"Declaration '{id}' does not include unit '{unitId}'.");
        }
        if (entry.WithdrawnAt is { } withdrawnAt)
        {
            return Problems.Conflict($"Unit '{unitId}' was already withdrawn from declaration '{id}' at {withdrawnAt:O}.");
        }
        const string withdraw = """
            UPDATE declaration_units
            SET withdrawn_at = @Now, withdrawn_by = @By, withdrawal_reason = @Reason
            WHERE declaration_id = @Id AND unit_id = @UnitId AND withdrawn_at IS NULL
            """;
        var now = time.GetUtcNow();
        await connection.ExecuteAsync(withdraw, new { Id = id, UnitId = unitId, Now = now, By = caller.KeyId, request.Reason }, transaction);
        await connection.AuditAsync(transaction, caller, new AuditChange("declaration.unit_withdrawn", "declaration", id.ToString(), entry.AgencyId, unitId,
            AuditTrail.Diff(("withdrawnAt", null, now), ("withdrawalReason", null, request.Reason))));
        await transaction.CommitAsync(cancellationToken);
        return TypedResults.Ok((await DeclarationQueries.Load(connection, id))!);
    }

    private static bool CanSee(Caller caller, Declaration declaration) =>
        caller.Role == Roles.Unit
            ? declaration.Units.Any(u => u.UnitId == caller.UnitId)
            : caller.CanSeeAgency(declaration.AgencyId);

    private static async Task<ProblemHttpResult?> FindActiveConflicts(DbConnection connection, DbTransaction? transaction, ISqlDialect dialect, Guid[] unitIds)
    {
        const string sql = """
            SELECT du.unit_id, u.code AS unit_code, du.declaration_id, d.declared_on
            FROM declaration_units du
            JOIN units u ON u.id = du.unit_id
            JOIN declarations d ON d.id = du.declaration_id
            WHERE du.unit_id IN @Ids AND du.withdrawn_at IS NULL
            """;
        var conflicts = (await connection.QueryAsync<ActiveDeclaration>(sql, new { Ids = dialect.IdList(unitIds) }, transaction)).AsList();
        if (conflicts.Count == 0)
        {
            return null;
        }
        var first = conflicts[0];
        return Problems.Conflict(
            $"Unit '{first.UnitCode}' ({first.UnitId}) is already declared by declaration '{first.DeclarationId}' of {first.DeclaredOn:yyyy-MM-dd}"
            + (conflicts.Count > 1 ? $", and {conflicts.Count - 1} more unit(s) are already declared." : "."),
            new Dictionary<string, object?> { ["conflicts"] = conflicts });
    }

    private sealed class UnitAgency
    {
        public Guid Id { get; init; }
        public Guid AgencyId { get; init; }
    }

    private sealed class DeclaredUnitState
    {
        public Guid AgencyId { get; init; }
        public DateTimeOffset? WithdrawnAt { get; init; }
    }

    private sealed class ActiveDeclaration
    {
        public Guid UnitId { get; init; }
        public string UnitCode { get; init; } = "";
        public Guid DeclarationId { get; init; }
        public DateOnly DeclaredOn { get; init; }
    }
}
