using ZonaIntegritas.Api.Features.Audit;
using ZonaIntegritas.Api.Features.Frameworks;
using ZonaIntegritas.Api.Features.Scoring;

namespace ZonaIntegritas.Api.Features.Assessments;

public static class AnswerEndpoints
{
    public const int MaximumAnswersPerRequest = 500;

    public static RouteGroupBuilder MapAnswers(this RouteGroupBuilder api)
    {
        var group = api.MapGroup("/assessments/{id:guid}/answers/{layer}").WithTags("Assessments (LKE)").WithValidation();

        group.MapPut("/", PutAnswers).RequireAuthorization(Policies.WriteAnswers)
            .WithName(nameof(PutAnswers))
            .WithSummary("Set many answers of one layer at once (all or nothing)")
            .WithDescription("""
                Layers: `self` (the unit's key, its inspectorate or admin), `tpi` (inspectorate or admin), `tpn` (evaluator or admin).
                Values by answer type: YA_TIDAK "Ya"/"Tidak" (any letter case, stored as "Ya"/"Tidak"); ABC, ABCD, ABCDE a capital letter;
                NILAI_0_4 a number 0–4 with at most 2 decimals; JUMLAH a non-negative whole number. PERSEN items are computed from
                their JUMLAH inputs and cannot be answered directly. Any invalid answer rejects the whole request (400 naming
                `answers[i].value` or `answers[i].itemCode`). Every change is kept in the item's history.
                """)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .AddOpenApiOperationTransformer(Http.OpenApi.WorkbookImportBody.Describe);
        group.MapGet("/", GetAnswers)
            .WithName(nameof(GetAnswers))
            .WithSummary("Read the answers of one layer")
            .ProducesProblem(StatusCodes.Status404NotFound);
        group.MapPut("/{itemCode}", PutAnswer).RequireAuthorization(Policies.WriteAnswers)
            .WithName(nameof(PutAnswer))
            .WithSummary("Set one answer")
            .ProducesProblem(StatusCodes.Status404NotFound);
        group.MapDelete("/{itemCode}", ClearAnswer).RequireAuthorization(Policies.WriteAnswers)
            .WithName(nameof(ClearAnswer))
            .WithSummary("Clear one answer (the item becomes unanswered)")
            .ProducesProblem(StatusCodes.Status404NotFound);
        group.MapGet("/{itemCode}/history", GetAnswerHistory)
            .WithName(nameof(GetAnswerHistory))
            .WithSummary("Every change of one answer: who, when, old and new value and note")
            .ProducesProblem(StatusCodes.Status404NotFound);
        return api;
    }

    public static async Task<Results<Ok<AnswerSheet>, ValidationProblem, ProblemHttpResult>> PutAnswers(
        Guid id, [Vocabulary(typeof(Layers), nameof(Layers.All))] string layer, AnswerBatchRequest request, Caller caller, DbConnectionFactory db, FrameworkCatalogue catalogue,
        TimeProvider time, CancellationToken cancellationToken)
    {
        if (request.Answers is not { Count: > 0 } inputs)
        {
            return Problems.Invalid("answers", "answers must contain at least one answer.");
        }
        if (inputs.Count > MaximumAnswersPerRequest)
        {
            return Problems.Invalid("answers", $"At most {MaximumAnswersPerRequest} answers per request; got {inputs.Count}.");
        }
        return await AnswerStore.Write(id, layer, caller, db, catalogue, time, inputs.Select((a, i) => (Field: $"answers[{i}]", Input: a)).ToList(), cancellationToken);
    }

    public static async Task<Results<Ok<AnswerSheet>, ValidationProblem, ProblemHttpResult>> PutAnswer(
        Guid id, [Vocabulary(typeof(Layers), nameof(Layers.All))] string layer, string itemCode, SingleAnswerRequest request, Caller caller, DbConnectionFactory db, FrameworkCatalogue catalogue,
        TimeProvider time, CancellationToken cancellationToken) =>
        await AnswerStore.Write(id, layer, caller, db, catalogue, time, [(Field: "", Input: new AnswerInput(itemCode, request.Value, request.Note))], cancellationToken);

    public static async Task<Results<Ok<AnswerSheet>, ValidationProblem, ProblemHttpResult>> GetAnswers(
        Guid id, [Vocabulary(typeof(Layers), nameof(Layers.All))] string layer, Caller caller, DbConnectionFactory db, CancellationToken cancellationToken)
    {
        if (!Layers.All.Contains(layer))
        {
            return AnswerStore.UnknownLayer(layer);
        }
        await using var connection = await db.OpenAsync(cancellationToken);
        if (await AssessmentQueries.FindVisible(connection, caller, id) is null)
        {
            return Problems.NotFound("Assessment", id);
        }
        return TypedResults.Ok(await AnswerStore.LoadSheet(connection, null, id, layer));
    }

    public static async Task<Results<NoContent, ValidationProblem, ProblemHttpResult>> ClearAnswer(
        Guid id, [Vocabulary(typeof(Layers), nameof(Layers.All))] string layer, string itemCode, Caller caller, DbConnectionFactory db, TimeProvider time, CancellationToken cancellationToken)
    {
        if (!Layers.All.Contains(layer))
        {
            return AnswerStore.UnknownLayer(layer);
        }
        await using var connection = await db.OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var (assessment, refusal) = await AnswerStore.FindWritable(connection, transaction, caller, id, layer);
        if (refusal is not null)
        {
            return refusal;
        }
        const string find = "SELECT value, note FROM answers WHERE assessment_id = @Id AND layer = @Layer AND item_code = @ItemCode";
        var current = await connection.QuerySingleOrDefaultAsync<AnswerStore.StoredAnswer>(find, new { Id = id, Layer = layer, ItemCode = itemCode }, transaction);
        if (current is null)
        {
            return Problems.NotFound($"Item '{itemCode}' has no '{layer}' answer in assessment '{id}'.");
        }
        const string delete = "DELETE FROM answers WHERE assessment_id = @Id AND layer = @Layer AND item_code = @ItemCode";
        await connection.ExecuteAsync(delete, new { Id = id, Layer = layer, ItemCode = itemCode }, transaction);
        await AnswerStore.RecordChange(connection, transaction, id, layer, itemCode, current, null, null, time.GetUtcNow(), caller.KeyId);
        await connection.AuditAsync(transaction, caller, new AuditChange("answer.cleared", "assessment", id.ToString(), assessment!.AgencyId, assessment.UnitId,
            new { Layer = layer, ItemCode = itemCode, Before = current.Value, After = (string?)null }));
        await transaction.CommitAsync(cancellationToken);
        return TypedResults.NoContent();
    }

    public static async Task<Results<Ok<AnswerHistory>, ValidationProblem, ProblemHttpResult>> GetAnswerHistory(
        Guid id, [Vocabulary(typeof(Layers), nameof(Layers.All))] string layer, string itemCode, Caller caller, DbConnectionFactory db, CancellationToken cancellationToken)
    {
        if (!Layers.All.Contains(layer))
        {
            return AnswerStore.UnknownLayer(layer);
        }
        await using var connection = await db.OpenAsync(cancellationToken);
        if (await AssessmentQueries.FindVisible(connection, caller, id) is null)
        {
            return Problems.NotFound("Assessment", id);
        }
        const string sql = """
            SELECT sequence, old_value, new_value, old_note, new_note, changed_at, changed_by
            FROM answer_history
            WHERE assessment_id = @Id AND layer = @Layer AND item_code = @ItemCode
            ORDER BY sequence
            """;
        var changes = (await connection.QueryAsync<AnswerChange>(sql, new { Id = id, Layer = layer, ItemCode = itemCode })).AsList();
        return TypedResults.Ok(new AnswerHistory(id, layer, itemCode, changes));
    }

    /// <summary>The write core of every answer route (JSON batch, single answer, workbook import): locks, validation, history, audit.</summary>
}
