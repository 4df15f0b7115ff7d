using ZonaIntegritas.Api.Features.Audit;

namespace ZonaIntegritas.Api.Features.Accountability;

public static class BudgetEndpoints
{
    public static RouteGroupBuilder MapBudgets(this RouteGroupBuilder api)
    {
        var group = api.MapGroup("/units/{id:guid}/budget/{year:int}").WithTags(AccountabilityEndpoints.Tag).WithValidation();
        group.MapPut("/", PutBudgetCeiling).RequireAuthorization(Policies.WriteAccountability)
            .WithName(nameof(PutBudgetCeiling))
            .WithSummary("Set the unit's budget ceiling (pagu) for a year, in rupiah")
            .WithDescription("""
                The unit's key, its agency's inspectorate or admin. `ceiling` is rupiah with at most 2 decimals (sen), greater than 0.
                201 when the year's budget is new, 200 when the ceiling changed. A ceiling below what is already realised is 422.
                """)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        group.MapGet("/", GetBudget)
            .WithName(nameof(GetBudget))
            .WithSummary("The unit's budget for a year: ceiling, monthly realisation, cumulative absorption and physical progress")
            .ProducesProblem(StatusCodes.Status404NotFound);
        group.MapPost("/realisations", RecordBudgetRealisation).RequireAuthorization(Policies.WriteAccountability)
            .WithName(nameof(RecordBudgetRealisation))
            .WithSummary("Record one month's budget realisation (financial, in rupiah, and physical progress %)")
            .WithDescription("""
                `amount` is the month's spending in rupiah (at most 2 decimals); absorption is the cumulative amount ÷ ceiling.
                `physicalProgressPercent` is the cumulative physical progress at the end of that month. One entry per month:
                sending a month again replaces it (201 new, 200 replaced). 422 when the year has no ceiling yet, or when the
                year's total would exceed the ceiling.
                """)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        return api;
    }

    public static async Task<Results<Created<Budget>, Ok<Budget>, ValidationProblem, ProblemHttpResult>> PutBudgetCeiling(
        Guid id, int year, BudgetCeilingRequest request, Caller caller, DbConnectionFactory db, TimeProvider time, CancellationToken cancellationToken)
    {
        if (YearRules.Invalid(year) is { } invalidYear)
        {
            return invalidYear;
        }
        await using var connection = await db.OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var (unit, refusal) = await AccountabilityEndpoints.WritableUnit(connection, transaction, caller, id);
        if (refusal is not null)
        {
            return refusal;
        }
        var ceiling = request.Ceiling!.Value;
        var current = await Load(connection, transaction, db.Dialect, id, year);
        if (current is not null && ceiling < current.Realised)
        {
            return Problems.UnprocessableField("ceiling", $"ceiling {ceiling} is below the {current.Realised} already realised in {year}.");
        }
        var parameters = new { UnitId = id, Year = year, Ceiling = db.Dialect.StoredMoney(ceiling), Now = time.GetUtcNow(), By = caller.KeyId };
        if (current is null)
        {
            const string insert = """
                INSERT INTO budgets (unit_id, year, ceiling, updated_at, updated_by) VALUES (@UnitId, @Year, @Ceiling, @Now, @By)
                """;
            try
            {
                await connection.ExecuteAsync(insert, parameters, transaction);
            }
            catch (DbException e) when (db.Dialect.IsUniqueViolation(e))
            {
                // A concurrent request wrote the same row between our read and our insert; nothing of ours is kept.
                await transaction.RollbackAsync(cancellationToken);
                return Problems.Conflict($"The {year} budget of unit '{unit!.Code}' was created by a concurrent request; read it and retry.");
            }
        }
        else if (current.Ceiling != ceiling)
        {
            const string update = "UPDATE budgets SET ceiling = @Ceiling, updated_at = @Now, updated_by = @By WHERE unit_id = @UnitId AND year = @Year";
            await connection.ExecuteAsync(update, parameters, transaction);
        }
        var budget = (await Load(connection, transaction, db.Dialect, id, year))!;
        if (current?.Ceiling != ceiling)
        {
            await connection.AuditAsync(transaction, caller, new AuditChange(current is null ? "budget.created" : "budget.ceiling_changed", "budget", $"{id}/{year}",
                unit!.AgencyId, id, new { Year = year, Ceiling = new FieldChange(current?.Ceiling, ceiling) }));
        }
        await transaction.CommitAsync(cancellationToken);
        return current is null ? TypedResults.Created($"/api/v1/units/{id}/budget/{year}", budget) : TypedResults.Ok(budget);
    }

    public static async Task<Results<Ok<Budget>, ValidationProblem, ProblemHttpResult>> GetBudget(
        Guid id, int year, Caller caller, DbConnectionFactory db, CancellationToken cancellationToken)
    {
        if (YearRules.Invalid(year) is { } invalidYear)
        {
            return invalidYear;
        }
        await using var connection = await db.OpenAsync(cancellationToken);
        var unit = await AccountabilityEndpoints.VisibleUnit(connection, caller, id);
        if (unit is null)
        {
            return Problems.NotFound("Unit", id);
        }
        return await Load(connection, null, db.Dialect, id, year) is { } budget
            ? TypedResults.Ok(budget)
            : Problems.NotFound($"Unit '{unit.Code}' ({id}) has no budget for {year}.");
    }

    public static async Task<Results<Created<Budget>, Ok<Budget>, ValidationProblem, ProblemHttpResult>> RecordBudgetRealisation(
        Guid id, int year, BudgetRealisationRequest request, Caller caller, DbConnectionFactory db, TimeProvider time, CancellationToken cancellationToken)
    {
        if (YearRules.Invalid(year) is { } invalidYear)
        {
            return invalidYear;
        }
        await using var connection = await db.OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var (unit, refusal) = await AccountabilityEndpoints.WritableUnit(connection, transaction, caller, id);
        if (refusal is not null)
        {
            return refusal;
        }
        // Take the budget row's write lock before reading the total, so that two months recorded at once cannot together
        // pass the ceiling (SQL Server reads committed data without blocking otherwise).
        const string lockBudget = "UPDATE budgets SET updated_at = updated_at WHERE unit_id = @UnitId AND year = @Year";
        await connection.ExecuteAsync(lockBudget, new { UnitId = id, Year = year }, transaction);
        var current = await Load(connection, transaction, db.Dialect, id, year);
        if (current is null)
        {
            return Problems.Unprocessable(
                $"Unit '{unit!.Code}' has no budget ceiling for {year}; set it first with PUT /api/v1/units/{id}/budget/{year}.");
        }
        var month = request.Month!.Value;
        var amount = request.Amount!.Value;
        var replaced = current.Months.FirstOrDefault(m => m.Month == month);
        var total = current.Realised - (replaced?.Amount ?? 0m) + amount;
        if (total > current.Ceiling)
        {
            return Problems.UnprocessableField("amount",
                $"amount {amount} would bring {year}'s realisation to {total}, above the ceiling of {current.Ceiling}.");
        }
        Budget budget = null!;
        var conflict = await transaction.CommitOrConflictAsync(db.Dialect,
            async () => budget = await WriteRealisation(connection, transaction, db.Dialect, caller, unit!, year, request, replaced, time.GetUtcNow()),
            // A concurrent request wrote the same row between our read and our insert; nothing of ours is kept.
            () => Task.FromResult(Problems.Conflict($"Month {month} of {year} was recorded for unit '{unit!.Code}' by a concurrent request; read the budget and retry.")),
            cancellationToken);
        if (conflict is not null)
        {
            return conflict;
        }
        return replaced is null ? TypedResults.Created($"/api/v1/units/{id}/budget/{year}", budget) : TypedResults.Ok(budget);
    }

    /// <summary>Inserts or replaces one month's realisation and audits what changed; the budget as it now stands.</summary>
    private static async Task<Budget> WriteRealisation(DbConnection connection, DbTransaction transaction, ISqlDialect dialect, Caller caller,
        Units.WorkUnit unit, int year, BudgetRealisationRequest request, BudgetMonth? replaced, DateTimeOffset now)
    {
        var parameters = new
        {
            UnitId = unit.Id,
            Year = year,
            Month = request.Month!.Value,
            Amount = dialect.StoredMoney(request.Amount!.Value),
            Physical = request.PhysicalProgressPercent!.Value,
            Now = now,
            By = caller.KeyId,
        };
        const string update = """
            UPDATE budget_realisations SET amount = @Amount, physical_progress_percent = @Physical, recorded_at = @Now, recorded_by = @By
            WHERE unit_id = @UnitId AND year = @Year AND month = @Month
            """;
        const string insert = """
            INSERT INTO budget_realisations (unit_id, year, month, amount, physical_progress_percent, recorded_at, recorded_by)
            VALUES (@UnitId, @Year, @Month, @Amount, @Physical, @Now, @By)
            """;
        await connection.ExecuteAsync(replaced is null ? insert : update, parameters, transaction);
        var budget = (await Load(connection, transaction, dialect, unit.Id, year))!;
        var changes = AuditTrail.Diff(("amount", replaced?.Amount, request.Amount), ("physicalProgressPercent", replaced?.PhysicalProgressPercent, request.PhysicalProgressPercent));
        if (changes.Count > 0)
        {
            await connection.AuditAsync(transaction, caller, new AuditChange("budget.realisation_recorded", "budget", $"{unit.Id}/{year}", unit.AgencyId, unit.Id,
                new { Year = year, Month = request.Month!.Value, Changes = changes }));
        }
        return budget;
    }

    /// <summary>The year's budget with every month and running totals; null when no ceiling is set.</summary>
    internal static async Task<Budget?> Load(DbConnection connection, DbTransaction? transaction, ISqlDialect dialect, Guid unitId, int year)
    {
        const string sql = """
            SELECT ceiling, updated_at, updated_by FROM budgets WHERE unit_id = @UnitId AND year = @Year;
            SELECT month, amount, physical_progress_percent, recorded_at, recorded_by
            FROM budget_realisations WHERE unit_id = @UnitId AND year = @Year ORDER BY month;
            """;
        await using var results = await connection.QueryMultipleAsync(sql, new { UnitId = unitId, Year = year }, transaction);
        var header = await results.ReadSingleOrDefaultAsync<BudgetRow>();
        if (header is null)
        {
            return null;
        }
        var ceiling = dialect.Rupiah(header.Ceiling);
        var cumulative = 0m;
        var months = new List<BudgetMonth>();
        foreach (var row in await results.ReadAsync<MonthRow>())
        {
            var amount = dialect.Rupiah(row.Amount);
            cumulative += amount;
            months.Add(new BudgetMonth(row.Month, amount, cumulative, Math.Round(AccountabilityRules.AbsorptionPercent(cumulative, ceiling), 2),
                row.PhysicalProgressPercent, row.RecordedAt, row.RecordedBy));
        }
        return new Budget(unitId, year, ceiling, cumulative, Math.Round(AccountabilityRules.AbsorptionPercent(cumulative, ceiling), 2),
            months.Count > 0 ? months[^1].PhysicalProgressPercent : null, header.UpdatedAt, header.UpdatedBy, months);
    }

    private sealed class BudgetRow
    {
        public decimal Ceiling { get; init => field = AccountabilityRules.Canonical(value); }
        public DateTimeOffset UpdatedAt { get; init; }
        public Guid UpdatedBy { get; init; }
    }

    private sealed class MonthRow
    {
        public int Month { get; init; }
        public decimal Amount { get; init => field = AccountabilityRules.Canonical(value); }
        public decimal PhysicalProgressPercent { get; init => field = AccountabilityRules.Canonical(value); }
        public DateTimeOffset RecordedAt { get; init; }
        public Guid RecordedBy { get; init; }
    }
}
