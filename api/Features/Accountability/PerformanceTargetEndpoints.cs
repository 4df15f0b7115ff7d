using ZonaIntegritas.Api.Features.Audit;

namespace ZonaIntegritas.Api.Features.Accountability;

public static class PerformanceTargetEndpoints
{
    public static RouteGroupBuilder MapPerformanceTargets(this RouteGroupBuilder api)
    {
        var group = api.MapGroup("/units/{id:guid}/performance-targets").WithTags(AccountabilityEndpoints.Tag).WithValidation();
        group.MapPost("/", CreatePerformanceTarget).RequireAuthorization(Policies.WriteAccountability)
            .WithName(nameof(CreatePerformanceTarget))
            .WithSummary("Record a performance target (sasaran/indikator kinerja) of the unit for a year")
            .WithDescription("""
                The unit's key, its agency's inspectorate or admin. `direction` is `higher_is_better` (target > 0) or
                `lower_is_better` (target ≥ 0). One target per indicator, unit and year: a second one is 409 naming the first.
                `sasaran` (optional) names the objective the indicator measures: derive counts sasaran, not indicators, for
                AK.R.1.a.1, and a target without one is its own sasaran.
                """)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);
        group.MapGet("/", ListPerformanceTargets)
            .WithName(nameof(ListPerformanceTargets))
            .WithSummary("The unit's performance targets with realisations and achievement")
            .WithDescription("""
                Filter: `year`. Achievement uses the latest period's realisation (realisations are cumulative to date):
                realisation ÷ target, or target ÷ realisation for lower-is-better. `percent` is raw, `displayPercent` capped at 120%,
                `met` means the raw achievement is 100% or more.
                """)
            .ProducesProblem(StatusCodes.Status404NotFound);
        group.MapGet("/{targetId:guid}", GetPerformanceTarget)
            .WithName(nameof(GetPerformanceTarget))
            .WithSummary("One performance target with its realisations and achievement")
            .ProducesProblem(StatusCodes.Status404NotFound);
        group.MapPost("/{targetId:guid}/realisations", RecordPerformanceRealisation).RequireAuthorization(Policies.WriteAccountability)
            .WithName(nameof(RecordPerformanceRealisation))
            .WithSummary("Record the realisation of a target for a period (yyyy-mm)")
            .WithDescription("""
                The period must lie in the target's year. One value per period: sending a period again replaces its value
                (201 when new, 200 when replaced), so corrections and retries are harmless.
                """)
            .ProducesProblem(StatusCodes.Status404NotFound);
        return api;
    }

    public static async Task<Results<Created<PerformanceTarget>, ValidationProblem, ProblemHttpResult>> CreatePerformanceTarget(
        Guid id, CreatePerformanceTargetRequest request, Caller caller, DbConnectionFactory db, TimeProvider time, CancellationToken cancellationToken)
    {
        await using var connection = await db.OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var (unit, refusal) = await AccountabilityEndpoints.WritableUnit(connection, transaction, caller, id);
        if (refusal is not null)
        {
            return refusal;
        }
        // Indicators that differ only by invisible or look-alike characters are the same indicator (409).
        var indicator = NormalizedText.Of(request.Indicator)!;
        if (await FindByIndicator(connection, transaction, id, request.Year!.Value, indicator) is { } existing)
        {
            return Conflict(unit!.Code, request.Year.Value, indicator, existing);
        }
        var targetId = Guid.NewGuid();
        const string insert = """
            INSERT INTO performance_targets (id, unit_id, year, indicator, sasaran, unit_of_measure, target, direction, created_at, created_by)
            VALUES (@Id, @UnitId, @Year, @Indicator, @Sasaran, @UnitOfMeasure, @Target, @Direction, @Now, @By)
            """;
        PerformanceTarget? created = null;
        var conflict = await transaction.CommitOrConflictAsync(db.Dialect, async () =>
        {
            await connection.ExecuteAsync(insert, new
            {
                Id = targetId,
                UnitId = id,
                request.Year,
                Indicator = indicator,
                Sasaran = request.Sasaran?.Trim(),
                UnitOfMeasure = request.UnitOfMeasure!.Trim(),
                request.Target,
                request.Direction,
                Now = time.GetUtcNow(),
                By = caller.KeyId,
            }, transaction);
            created = (await Load(connection, transaction, id, null, targetId)).Single();
            await connection.AuditAsync(transaction, caller, new AuditChange("performance_target.created", "performance_target", targetId.ToString(),
                unit!.AgencyId, id, new { created.Year, created.Indicator, created.Sasaran, created.UnitOfMeasure, created.Target, created.Direction }));
        }, async () =>
        {
            // A concurrent request recorded the same indicator between the check and the insert.
            var winner = await FindByIndicator(connection, null, id, request.Year.Value, indicator);
            return Conflict(unit!.Code, request.Year.Value, indicator, winner);
        }, cancellationToken);
        if (conflict is not null)
        {
            return conflict;
        }
        return TypedResults.Created($"/api/v1/units/{id}/performance-targets/{targetId}", created!);
    }

    public static async Task<Results<Ok<IReadOnlyList<PerformanceTarget>>, ValidationProblem, ProblemHttpResult>> ListPerformanceTargets(
        Guid id, int? year, Caller caller, DbConnectionFactory db, CancellationToken cancellationToken)
    {
        if (year is { } y && YearRules.Invalid(y) is { } invalidYear)
        {
            return invalidYear;
        }
        await using var connection = await db.OpenAsync(cancellationToken);
        if (await AccountabilityEndpoints.VisibleUnit(connection, caller, id) is null)
        {
            return Problems.NotFound("Unit", id);
        }
        return TypedResults.Ok<IReadOnlyList<PerformanceTarget>>(await Load(connection, null, id, year, null));
    }

    public static async Task<Results<Ok<PerformanceTarget>, ProblemHttpResult>> GetPerformanceTarget(
        Guid id, Guid targetId, Caller caller, DbConnectionFactory db, CancellationToken cancellationToken)
    {
        await using var connection = await db.OpenAsync(cancellationToken);
        if (await AccountabilityEndpoints.VisibleUnit(connection, caller, id) is null)
        {
            return Problems.NotFound("Unit", id);
        }
        var target = (await Load(connection, null, id, null, targetId)).SingleOrDefault();
        return target is not null ? TypedResults.Ok(target) : Problems.NotFound("Performance target", targetId);
    }

    public static async Task<Results<Created<PerformanceTarget>, Ok<PerformanceTarget>, ValidationProblem, ProblemHttpResult>> RecordPerformanceRealisation(
        Guid id, Guid targetId, RealisationRequest request, Caller caller, DbConnectionFactory db, TimeProvider time, CancellationToken cancellationToken)
    {
        await using var connection = await db.OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var (unit, refusal) = await AccountabilityEndpoints.WritableUnit(connection, transaction, caller, id);
        if (refusal is not null)
        {
            return refusal;
        }
        const string findTarget = "SELECT year FROM performance_targets WHERE id = @TargetId AND unit_id = @UnitId";
        if (await connection.ExecuteScalarAsync<int?>(findTarget, new { TargetId = targetId, UnitId = id }, transaction) is not { } targetYear)
        {
            return Problems.NotFound("Performance target", targetId);
        }
        AccountabilityLimits.TryParsePeriod(request.Period, out var periodYear, out _);
        if (periodYear != targetYear)
        {
            return Problems.Invalid("period", $"period must be a month of the target's year {targetYear}; got '{request.Period}'.");
        }
        const string findValue = "SELECT value FROM performance_realisations WHERE target_id = @TargetId AND period = @Period";
        var before = await connection.ExecuteScalarAsync<decimal?>(findValue, new { TargetId = targetId, request.Period }, transaction);
        var parameters = new { TargetId = targetId, request.Period, request.Value, Now = time.GetUtcNow(), By = caller.KeyId };
        const string update = """
            UPDATE performance_realisations SET value = @Value, recorded_at = @Now, recorded_by = @By
            WHERE target_id = @TargetId AND period = @Period
            """;
        const string insert = """
            INSERT INTO performance_realisations (target_id, period, value, recorded_at, recorded_by)
            VALUES (@TargetId, @Period, @Value, @Now, @By)
            """;
        // UPDATE-then-INSERT: the write transaction holds the row, so no second writer slips in between.
        var replaced = await connection.ExecuteAsync(update, parameters, transaction) > 0;
        if (!replaced)
        {
            try
            {
                await connection.ExecuteAsync(insert, parameters, transaction);
            }
            catch (DbException e) when (db.Dialect.IsUniqueViolation(e))
            {
                // A concurrent request wrote the same row between our read and our insert; nothing of ours is kept.
                await transaction.RollbackAsync(cancellationToken);
                return Problems.Conflict($"Period {request.Period} of target '{targetId}' was recorded by a concurrent request; read the target and retry.");
            }
        }
        var target = (await Load(connection, transaction, id, null, targetId)).Single();
        await connection.AuditAsync(transaction, caller, new AuditChange("performance_target.realisation_recorded", "performance_target", targetId.ToString(),
            unit!.AgencyId, id, new { request.Period, Value = new FieldChange(before is { } b ? AccountabilityRules.Canonical(b) : null, request.Value) }));
        await transaction.CommitAsync(cancellationToken);
        return replaced ? TypedResults.Ok(target) : TypedResults.Created($"/api/v1/units/{id}/performance-targets/{targetId}", target);
    }

    /// <summary>Targets of one unit (optionally one year or one target) with realisations: two queries, whatever the count.</summary>
    internal static async Task<List<PerformanceTarget>> Load(DbConnection connection, DbTransaction? transaction, Guid unitId, int? year, Guid? targetId)
    {
        const string targets = """
            SELECT id, unit_id, year, indicator, sasaran, unit_of_measure, target, direction, created_at, created_by
            FROM performance_targets
            WHERE unit_id = @UnitId AND (@Year IS NULL OR year = @Year) AND (@TargetId IS NULL OR id = @TargetId)
            ORDER BY year, indicator
            """;
        const string realisations = """
            SELECT r.target_id, r.period, r.value, r.recorded_at, r.recorded_by
            FROM performance_realisations r JOIN performance_targets t ON t.id = r.target_id
            WHERE t.unit_id = @UnitId AND (@Year IS NULL OR t.year = @Year) AND (@TargetId IS NULL OR t.id = @TargetId)
            ORDER BY r.period
            """;
        var filter = new { UnitId = unitId, Year = year, TargetId = targetId };
        var rows = (await connection.QueryAsync<TargetRow>(targets, filter, transaction)).AsList();
        var byTarget = (await connection.QueryAsync<RealisationRow>(realisations, filter, transaction)).ToLookup(r => r.TargetId);
        return rows.Select(t =>
        {
            var list = byTarget[t.Id].Select(r => new Realisation(r.Period, r.Value, r.RecordedAt, r.RecordedBy)).ToList();
            var latest = list.Count > 0 ? list[^1] : null;
            var achievement = latest is null ? null : AccountabilityRules.Achieve(t.Target, t.Direction, latest.Value);
            return new PerformanceTarget(t.Id, t.UnitId, t.Year, t.Indicator, t.Sasaran, t.UnitOfMeasure, t.Target, t.Direction, t.CreatedAt, t.CreatedBy,
                list, latest, achievement);
        }).ToList();
    }

    private static Task<Guid?> FindByIndicator(DbConnection connection, DbTransaction? transaction, Guid unitId, int year, string indicator)
    {
        const string sql = "SELECT id FROM performance_targets WHERE unit_id = @UnitId AND year = @Year AND indicator = @Indicator";
        return connection.ExecuteScalarAsync<Guid?>(sql, new { UnitId = unitId, Year = year, Indicator = indicator }, transaction);
    }

    private static ProblemHttpResult Conflict(string unitCode, int year, string indicator, Guid? existing) =>
        Problems.Conflict($"Unit '{unitCode}' already has a {year} target for indicator '{indicator}' ({existing}).",
            new Dictionary<string, object?> { ["existingTargetId"] = existing });

    private sealed class TargetRow
    {
        public Guid Id { get; init; }
        public Guid UnitId { get; init; }
        public int Year { get; init; }
        public string Indicator { get; init; } = "";
        public string? Sasaran { get; init; }
        public string UnitOfMeasure { get; init; } = "";
        public decimal Target { get; init => field = AccountabilityRules.Canonical(value); }
        public string Direction { get; init; } = "";
        public DateTimeOffset CreatedAt { get; init; }
        public Guid CreatedBy { get; init; }
    }

    private sealed class RealisationRow
    {
        public Guid TargetId { get; init; }
        public string Period { get; init; } = "";
        public decimal Value { get; init => field = AccountabilityRules.Canonical(value); }
        public DateTimeOffset RecordedAt { get; init; }
        public Guid RecordedBy { get; init; }
    }
}
