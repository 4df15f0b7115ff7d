using ZonaIntegritas.Api.Features.Audit;
using ZonaIntegritas.Api.Features.Frameworks;
using ZonaIntegritas.Api.Features.Scoring;

namespace ZonaIntegritas.Api.Features.Assessments;

/// <summary>Reading and writing a layer's answers with their history and audit: shared by the JSON answers, the workbook import, derive and scoring.</summary>
public static class AnswerStore
{
    internal static async Task<Results<Ok<AnswerSheet>, ValidationProblem, ProblemHttpResult>> Write(
        Guid id, [Vocabulary(typeof(Layers), nameof(Layers.All))] string layer, Caller caller, DbConnectionFactory db, FrameworkCatalogue catalogue, TimeProvider time,
        List<(string Field, AnswerInput? Input)> inputs, CancellationToken cancellationToken)
    {
        if (!Layers.All.Contains(layer))
        {
            return UnknownLayer(layer);
        }
        await using var connection = await db.OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var (assessment, refusal) = await FindWritable(connection, transaction, caller, id, layer);
        if (refusal is not null)
        {
            return refusal;
        }
        catalogue.TryGet(assessment!.FrameworkCode, out var framework);

        var (normalized, errors) = Normalize(framework!, inputs);
        if (errors.Count > 0)
        {
            return Problems.Invalid(errors);
        }

        var now = time.GetUtcNow();
        await SaveAll(connection, transaction, caller, assessment, layer, normalized, now);
        await Touch(connection, transaction, id, now);
        var sheet = await LoadSheet(connection, transaction, id, layer);
        await transaction.CommitAsync(cancellationToken);
        return TypedResults.Ok(sheet);
    }

    /// <summary>Each input checked against the framework and normalized; errors are named by the input's JSON path.</summary>
    internal static (List<(string ItemCode, string Value, string? Note)> Normalized, Dictionary<string, string[]> Errors) Normalize(
        Framework framework, List<(string Field, AnswerInput? Input)> inputs)
    {
        var errors = new Dictionary<string, string[]>();
        var normalized = new List<(string ItemCode, string Value, string? Note)>();
        var seen = new Dictionary<string, string>();
        foreach (var (field, input) in inputs)
        {
            string Key(string name) => field.Length == 0 ? name : $"{field}.{name}";
            if (input is null)
            {
                errors[field] = ["An answer is required."];
                continue;
            }
            if (string.IsNullOrWhiteSpace(input.ItemCode))
            {
                errors[Key("itemCode")] = ["itemCode is required."];
                continue;
            }
            if (input.Note is { Length: > 2000 })
            {
                errors[Key("note")] = ["note must be at most 2000 characters."];
            }
            if (seen.TryGetValue(input.ItemCode, out var earlier))
            {
                errors[Key("itemCode")] = [$"Item '{input.ItemCode}' is answered twice in this request (also at {earlier})."];
                continue;
            }
            seen[input.ItemCode] = field;
            var result = AnswerRules.Normalize(framework, input.ItemCode, input.Value);
            if (result.Error is { } error)
            {
                errors[Key(result.IsUnknownItem ? "itemCode" : "value")] = [error];
                continue;
            }
            normalized.Add((input.ItemCode, result.Value!, input.Note));
        }
        return (normalized, errors);
    }

    /// <summary>Saves the answers that differ from those stored, with one audit entry naming what changed.</summary>
    internal static async Task SaveAll(DbConnection connection, DbTransaction transaction, Caller caller, Assessment assessment, string layer,
        List<(string ItemCode, string Value, string? Note)> normalized, DateTimeOffset now)
    {
        var id = assessment.Id;
        var changed = new Dictionary<string, FieldChange>();
        foreach (var (itemCode, value, note) in normalized)
        {
            if (await SaveAnswer(connection, transaction, id, layer, assessment.FrameworkCode, itemCode, value, note, now, caller.KeyId) is { } change)
            {
                changed[itemCode] = change;
            }
        }
        if (changed.Count > 0)
        {
            await connection.AuditAsync(transaction, caller, new AuditChange("answers.written", "assessment", id.ToString(), assessment.AgencyId, assessment.UnitId,
                new { Layer = layer, Items = changed }));
        }
    }

    /// <summary>
    /// Stores one normalized answer and its history entry: the value before and after, or null (nothing written) when
    /// value and note are unchanged. UPDATE-then-INSERT is portable and safe here: the write transaction holds the
    /// assessment's rows.
    /// </summary>
    internal static async Task<FieldChange?> SaveAnswer(DbConnection connection, DbTransaction transaction, Guid id, [Vocabulary(typeof(Layers), nameof(Layers.All))] string layer, string frameworkCode,
        string itemCode, string value, string? note, DateTimeOffset now, Guid by)
    {
        const string find = "SELECT value, note FROM answers WHERE assessment_id = @Id AND layer = @Layer AND item_code = @ItemCode";
        const string update = """
            UPDATE answers SET value = @Value, note = @Note, updated_at = @Now, updated_by = @By
            WHERE assessment_id = @Id AND layer = @Layer AND item_code = @ItemCode
            """;
        const string insert = """
            INSERT INTO answers (assessment_id, layer, framework_code, item_code, value, note, updated_at, updated_by)
            VALUES (@Id, @Layer, @FrameworkCode, @ItemCode, @Value, @Note, @Now, @By)
            """;
        var parameters = new { Id = id, Layer = layer, FrameworkCode = frameworkCode, ItemCode = itemCode, Value = value, Note = note, Now = now, By = by };
        var current = await connection.QuerySingleOrDefaultAsync<StoredAnswer>(find, parameters, transaction);
        if (current is not null && current.Value == value && current.Note == note)
        {
            return null;
        }
        await connection.ExecuteAsync(current is null ? insert : update, parameters, transaction);
        await RecordChange(connection, transaction, id, layer, itemCode, current, value, note, now, by);
        return new FieldChange(current?.Value, value);
    }

    internal static Task Touch(DbConnection connection, DbTransaction transaction, Guid id, DateTimeOffset now)
    {
        const string touch = "UPDATE assessments SET updated_at = @Now WHERE id = @Id";
        return connection.ExecuteAsync(touch, new { Id = id, Now = now }, transaction);
    }

    /// <summary>
    /// The assessment when the caller may write this layer of it; otherwise the refusal (404 out of scope, 403 wrong role,
    /// 422 locked).
    /// </summary>
    internal static async Task<(Assessment? Assessment, ProblemHttpResult? Refusal)> FindWritable(
        DbConnection connection, DbTransaction transaction, Caller caller, Guid id, string layer)
    {
        var assessment = await AssessmentQueries.FindVisible(connection, caller, id, transaction);
        if (assessment is null)
        {
            return (null, Problems.NotFound("Assessment", id));
        }
        if (!Layers.MayWrite(caller.Role, layer))
        {
            return (null, Problems.Forbidden($"An API key with role '{caller.Role}' may not write the '{layer}' layer."));
        }
        if (!caller.IsAdmin && !AssessmentStatus.LayerOpen(assessment.Status, layer))
        {
            return (null, Problems.Unprocessable(
                $"The '{layer}' answers are locked: the assessment is '{assessment.Status}'. Only an admin may still change them."));
        }
        return (assessment, null);
    }

    internal static async Task<AnswerSheet> LoadSheet(DbConnection connection, DbTransaction? transaction, Guid id, string layer)
    {
        const string sql = """
            SELECT a.item_code, a.value, a.note, a.updated_at, a.updated_by, d.derived_at, d.sources AS derived_sources
            FROM answers a
            JOIN framework_items i ON i.framework_code = a.framework_code AND i.item_code = a.item_code
            LEFT JOIN derived_answers d
              ON a.layer = 'self' AND d.assessment_id = a.assessment_id AND d.item_code = a.item_code AND d.answer_updated_at = a.updated_at
            WHERE a.assessment_id = @Id AND a.layer = @Layer
            ORDER BY i.ordinal
            """;
        var answers = (await connection.QueryAsync<Answer>(sql, new { Id = id, Layer = layer }, transaction)).AsList();
        return new AnswerSheet(id, layer, answers);
    }

    /// <summary>The values of one layer keyed by item code, as the scoring engine takes them.</summary>
    internal static async Task<Dictionary<string, string>> LoadValues(DbConnection connection, Guid id, [Vocabulary(typeof(Layers), nameof(Layers.All))] string layer, DbTransaction? transaction = null)
    {
        const string sql = "SELECT item_code, value FROM answers WHERE assessment_id = @Id AND layer = @Layer";
        var rows = await connection.QueryAsync<StoredAnswer>(sql, new { Id = id, Layer = layer }, transaction);
        return rows.ToDictionary(r => r.ItemCode, r => r.Value);
    }

    internal static async Task RecordChange(DbConnection connection, DbTransaction transaction, Guid id, [Vocabulary(typeof(Layers), nameof(Layers.All))] string layer, string itemCode,
        StoredAnswer? before, string? value, string? note, DateTimeOffset now, Guid by)
    {
        const string sql = """
            INSERT INTO answer_history (id, assessment_id, layer, item_code, old_value, new_value, old_note, new_note, changed_at, changed_by, sequence)
            SELECT @HistoryId, @Id, @Layer, @ItemCode, @OldValue, @NewValue, @OldNote, @NewNote, @Now, @By, COALESCE(MAX(sequence), 0) + 1
            FROM answer_history
            WHERE assessment_id = @Id AND layer = @Layer AND item_code = @ItemCode
            """;
        await connection.ExecuteAsync(sql, new
        {
            HistoryId = Guid.NewGuid(),
            Id = id,
            Layer = layer,
            ItemCode = itemCode,
            OldValue = before?.Value,
            NewValue = value,
            OldNote = before?.Note,
            NewNote = note,
            Now = now,
            By = by,
        }, transaction);
    }

    internal static ValidationProblem UnknownLayer(string layer) =>
        Problems.Invalid("layer", $"layer must be one of: {string.Join(", ", Layers.All)}; got '{layer}'.");

    internal sealed class StoredAnswer
    {
        public string ItemCode { get; init; } = "";
        public string Value { get; init; } = "";
        public string? Note { get; init; }
    }
}
