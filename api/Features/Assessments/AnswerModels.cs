namespace ZonaIntegritas.Api.Features.Assessments;

public sealed record AnswerInput(string? ItemCode, JsonElement? Value, string? Note);

public sealed record AnswerBatchRequest(IReadOnlyList<AnswerInput?>? Answers) : IHasExample<AnswerBatchRequest>
{
    public static AnswerBatchRequest Example => new([
        new AnswerInput("MP.P.1.a", JsonSerializer.SerializeToElement("Ya"), "SK Tim ZI Nomor 12/KPTS/2026"),
        new AnswerInput("MP.P.1.b", JsonSerializer.SerializeToElement("A"), null),
        new AnswerInput("HB.1", JsonSerializer.SerializeToElement("3.62"), null),
    ]);
}

public sealed record SingleAnswerRequest(JsonElement? Value, string? Note) : IHasExample<SingleAnswerRequest>
{
    public static SingleAnswerRequest Example => new(JsonSerializer.SerializeToElement("Ya"), "SK Tim ZI Nomor 12/KPTS/2026");
}

public sealed record Answer
{
    public string ItemCode { get; init; } = "";
    public string Value { get; init; } = "";
    public string? Note { get; init; }
    public DateTimeOffset UpdatedAt { get; init; }
    public Guid UpdatedBy { get; init; }

    /// <summary>When /answers/self/derive wrote this answer; null once anyone changed it since (or it was never derived).</summary>
    public DateTimeOffset? DerivedAt { get; init; }

    [System.Text.Json.Serialization.JsonIgnore]
    public string? DerivedSources { get; init; }

    /// <summary>The figures a derived answer came from (see docs/accountability.md).</summary>
    public JsonElement? DerivedFrom => DerivedSources is null ? null : JsonDocument.Parse(DerivedSources).RootElement.Clone();
}

public sealed record AnswerSheet(Guid AssessmentId, string Layer, IReadOnlyList<Answer> Answers);

public sealed record AnswerChange
{
    public long Sequence { get; init; }
    public string? OldValue { get; init; }
    public string? NewValue { get; init; }
    public string? OldNote { get; init; }
    public string? NewNote { get; init; }
    public DateTimeOffset ChangedAt { get; init; }
    public Guid ChangedBy { get; init; }
}

public sealed record AnswerHistory(Guid AssessmentId, string Layer, string ItemCode, IReadOnlyList<AnswerChange> Changes);
