using System.Globalization;
using ZonaIntegritas.Api.Features.Assessments;
using ZonaIntegritas.Api.Features.Audit;
using ZonaIntegritas.Api.Features.Frameworks;
using ZonaIntegritas.Api.Features.Scoring;

namespace ZonaIntegritas.Api.Features.Accountability;

/// <summary>One self answer derive wrote (or confirmed), with the figures behind it.</summary>
public sealed record DerivedItem(string ItemCode, string Value, string? PreviousValue, bool Changed, JsonElement From);

/// <summary>A percentage item the catalogue computes from the derived inputs, evaluated with the catalogue's own expression.</summary>
public sealed record ComputedItem(string ItemCode, string Expression, decimal? Percent);

public sealed record SkippedItem(string ItemCode, string Reason);

public sealed record Derivation(Guid AssessmentId, string Layer, int Year, IReadOnlyList<DerivedItem> Derived, IReadOnlyList<ComputedItem> Computed,
    IReadOnlyList<SkippedItem> Skipped);

public static class DeriveEndpoints
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static RouteGroupBuilder MapDerivedAnswers(this RouteGroupBuilder api)
    {
        api.MapPost("/assessments/{id:guid}/answers/self/derive", DeriveSelfAnswers).RequireAuthorization(Policies.WriteAnswers)
            .WithTags(AccountabilityEndpoints.Tag, "Assessments (LKE)")
            .WithName(nameof(DeriveSelfAnswers))
            .WithSummary("Fill the self-assessment's accountability items from the unit's performance targets")
            .WithDescription("""
                Whoever may write the `self` layer (the unit's key, its inspectorate, admin), while the layer is open.
                From the unit's targets of the assessment year it sets AK.R.1.a.1 (sasaran: targets grouped by their `sasaran`, a
                target without one its own) and AK.R.1.a.2 (sasaran whose indicators' mean capped achievement is 100% or more),
                so AK.R.1.a = AK.R.1.a.2 / AK.R.1.a.1 as the catalogue computes it, and HB.2 (D when a target is not met,
                B when all are met and the year's capaian beats the previous year's, C otherwise; skipped without previous-year
                targets). Each answer is marked as derived with its figures (`derivedAt`, `derivedFrom` in GET answers). TPI and
                TPN answers are never written. Running it again with the same data changes nothing. Without targets: 422, nothing written.
                """)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        return api;
    }

    public static async Task<Results<Ok<Derivation>, ProblemHttpResult>> DeriveSelfAnswers(
        Guid id, Caller caller, DbConnectionFactory db, FrameworkCatalogue catalogue, TimeProvider time, CancellationToken cancellationToken)
    {
        await using var connection = await db.OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var (writable, refusal) = await AnswerStore.FindWritable(connection, transaction, caller, id, Layers.Self);
        if (refusal is not null)
        {
            return refusal;
        }
        var assessment = writable!;
        if (!catalogue.TryGet(assessment.FrameworkCode, out var framework)
            || !framework.TryGetItem(DerivationMap.TargetsMetPercent, out var percentItem) || percentItem.Formula is null
            || !framework.TryGetItem(DerivationMap.TargetCount, out _) || !framework.TryGetItem(DerivationMap.TargetsMetCount, out _))
        {
            return Problems.Unprocessable(
                $"Framework {assessment.FrameworkCode} has no {DerivationMap.TargetsMetPercent} item with count inputs, so nothing can be derived.");
        }

        var targets = await PerformanceTargetEndpoints.Load(connection, transaction, assessment.UnitId, assessment.Year, null);
        if (targets.Count == 0)
        {
            return Problems.Unprocessable(
                $"The unit has no performance targets for {assessment.Year}; record them with POST /api/v1/units/{assessment.UnitId}/performance-targets "
                + $"(and their realisations) before deriving {DerivationMap.TargetCount}, {DerivationMap.TargetsMetCount} and {DerivationMap.BetterThanLastYear}.",
                new Dictionary<string, object?> { ["missing"] = new[] { $"performanceTargets[year={assessment.Year}]" } });
        }
        var previous = await PerformanceTargetEndpoints.Load(connection, transaction, assessment.UnitId, assessment.Year - 1, null);

        var (values, skipped, sasaran, met) = Values(framework, assessment.Year, targets, previous);
        var derived = await Store(connection, transaction, caller, assessment, values, time.GetUtcNow());
        await transaction.CommitAsync(cancellationToken);

        // The catalogue's own expression, on the values just stored, as the scoring engine will read them.
        var ratio = FormulaExpression.Evaluate(percentItem.Formula.Expression,
            code => code == DerivationMap.TargetCount ? sasaran : code == DerivationMap.TargetsMetCount ? met
                : throw new InvalidOperationException($"{percentItem.Code} uses {code}, which derive does not fill."));
        var computed = new ComputedItem(percentItem.Code, percentItem.Formula.Expression, ratio is { } r ? Math.Round(Math.Clamp(r, 0m, 1m) * 100m, 2) : null);
        return TypedResults.Ok(new Derivation(id, Layers.Self, assessment.Year, derived, [computed], skipped));
    }

    /// <summary>The answers derive fills, each with the figures it was derived from, and the items it had to skip.</summary>
    private static (List<(string ItemCode, string Value, object Sources)> Values, List<SkippedItem> Skipped, int Sasaran, int Met) Values(
        Framework framework, int year, List<PerformanceTarget> targets, List<PerformanceTarget> previous)
    {
        var figures = targets.Select(Figure).ToList();
        // "Jumlah Sasaran Kinerja" counts sasaran: indicators sharing one count once (AccountabilityRules.Sasaran).
        var sasaran = AccountabilityRules.Sasaran(targets);
        var met = sasaran.Count(s => s.Met);
        var countSources = new { year = year, targets = targets.Count, sasaran = sasaran.Count, met, groups = sasaran, figures };
        var values = new List<(string ItemCode, string Value, object Sources)>
        {
            (DerivationMap.TargetCount, sasaran.Count.ToString(CultureInfo.InvariantCulture), countSources),
            (DerivationMap.TargetsMetCount, met.ToString(CultureInfo.InvariantCulture), countSources),
        };
        var skipped = new List<SkippedItem>();
        if (framework.TryGetItem(DerivationMap.BetterThanLastYear, out _))
        {
            switch (CompareYears(year, targets, previous))
            {
                case ({ } letter, var sources, _):
                    values.Add((DerivationMap.BetterThanLastYear, letter, sources!));
                    break;
                case (null, _, var reason):
                    skipped.Add(new SkippedItem(DerivationMap.BetterThanLastYear, reason!));
                    break;
            }
        }

        return (values, skipped, sasaran.Count, met);
    }

    /// <summary>Saves the derived self answers and their markers; one audit entry names the answers that changed.</summary>
    private static async Task<List<DerivedItem>> Store(DbConnection connection, DbTransaction transaction, Caller caller, Assessment assessment,
        List<(string ItemCode, string Value, object Sources)> values, DateTimeOffset now)
    {
        var id = assessment.Id;
        var current = await Current(connection, transaction, id, values.Select(v => v.ItemCode));
        var derived = new List<DerivedItem>();
        var answerChanges = new Dictionary<string, FieldChange>();
        var anyChange = false;
        foreach (var (itemCode, value, sources) in values)
        {
            current.TryGetValue(itemCode, out var before);
            var json = JsonSerializer.Serialize(sources, Json);
            // The note is the unit's own; derive keeps it.
            var change = await AnswerStore.SaveAnswer(connection, transaction, id, Layers.Self, assessment.FrameworkCode, itemCode, value,
                before?.Note, now, caller.KeyId);
            var changed = change is not null;
            if (change is not null)
            {
                answerChanges[itemCode] = change;
            }
            var answerUpdatedAt = changed ? now : before!.UpdatedAt;
            if (changed || before!.MarkerSources != json || before.MarkerUpdatedAt != answerUpdatedAt)
            {
                await Mark(connection, transaction, id, itemCode, answerUpdatedAt, json, now, caller.KeyId);
                anyChange = true;
            }
            anyChange |= changed;
            derived.Add(new DerivedItem(itemCode, value, before?.Value, changed, JsonDocument.Parse(json).RootElement.Clone()));
        }
        if (anyChange)
        {
            await AnswerStore.Touch(connection, transaction, id, now);
            // The figures are in the answers' derivedFrom; the entry says which answers derive changed.
            await connection.AuditAsync(transaction, caller, new AuditChange("answers.derived", "assessment", id.ToString(), assessment.AgencyId, assessment.UnitId,
                new { Layer = Layers.Self, Items = answerChanges }));
        }
        return derived;
    }

    private static object Figure(PerformanceTarget t) => new
    {
        targetId = t.Id,
        indicator = t.Indicator,
        sasaran = t.Sasaran,
        target = t.Target,
        direction = t.Direction,
        period = t.Latest?.Period,
        realisation = t.Latest?.Value,
        achievementPercent = t.Achievement?.Percent,
        met = t.Achievement?.Met ?? false,
    };

    /// <summary>
    /// HB.2 from the targets: D when one is not met (or has no realisation); with all met, B when the year's capaian
    /// (mean capped achievement) beats the previous year's, C when it does not. A also needs a comparison with
    /// national or peer units, which this service does not hold, so derive never claims it.
    /// </summary>
    internal static (string? Letter, object? Sources, string? Reason) CompareYears(int year, List<PerformanceTarget> current, List<PerformanceTarget> previous)
    {
        var capaian = Math.Round(current.Average(t => AccountabilityRules.ComparablePercent(t.Achievement)), 2);
        var unmet = current.Where(t => t.Achievement?.Met != true).Select(t => t.Indicator).ToList();
        if (unmet.Count > 0)
        {
            return ("D", new { year, capaian, allMet = false, unmet, rule = "D: at least one target below 100%" }, null);
        }
        if (previous.Count == 0)
        {
            return (null, null, $"Every {year} target is met, but there are no {year - 1} targets to compare with; answer {DerivationMap.BetterThanLastYear} by hand or record {year - 1}'s targets.");
        }
        var previousCapaian = Math.Round(previous.Average(t => AccountabilityRules.ComparablePercent(t.Achievement)), 2);
        var better = capaian > previousCapaian;
        return (better ? "B" : "C", new
        {
            year,
            capaian,
            previousYear = year - 1,
            previousCapaian,
            allMet = true,
            rule = better ? "B: all targets met and capaian above the previous year's" : "C: all targets met but capaian not above the previous year's",
        }, null);
    }

    private static async Task<Dictionary<string, CurrentAnswer>> Current(DbConnection connection, DbTransaction transaction, Guid id, IEnumerable<string> itemCodes)
    {
        const string sql = """
            SELECT a.item_code, a.value, a.note, a.updated_at, d.sources AS marker_sources, d.answer_updated_at AS marker_updated_at
            FROM answers a
            LEFT JOIN derived_answers d ON d.assessment_id = a.assessment_id AND d.item_code = a.item_code
            WHERE a.assessment_id = @Id AND a.layer = 'self' AND a.item_code IN @Codes
            """;
        var rows = await connection.QueryAsync<CurrentAnswer>(sql, new { Id = id, Codes = itemCodes.ToArray() }, transaction);
        return rows.ToDictionary(r => r.ItemCode);
    }

    private static async Task Mark(DbConnection connection, DbTransaction transaction, Guid id, string itemCode, DateTimeOffset answerUpdatedAt,
        string sources, DateTimeOffset now, Guid by)
    {
        const string delete = "DELETE FROM derived_answers WHERE assessment_id = @Id AND item_code = @ItemCode";
        const string insert = """
            INSERT INTO derived_answers (assessment_id, item_code, answer_updated_at, sources, derived_at, derived_by)
            VALUES (@Id, @ItemCode, @AnswerUpdatedAt, @Sources, @Now, @By)
            """;
        var parameters = new { Id = id, ItemCode = itemCode, AnswerUpdatedAt = answerUpdatedAt, Sources = sources, Now = now, By = by };
        await connection.ExecuteAsync(delete, parameters, transaction);
        await connection.ExecuteAsync(insert, parameters, transaction);
    }

    private sealed class CurrentAnswer
    {
        public string ItemCode { get; init; } = "";
        public string Value { get; init; } = "";
        public string? Note { get; init; }
        public DateTimeOffset UpdatedAt { get; init; }
        public string? MarkerSources { get; init; }
        public DateTimeOffset? MarkerUpdatedAt { get; init; }
    }
}
