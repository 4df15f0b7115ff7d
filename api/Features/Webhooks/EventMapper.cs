using System.Text.Json;

namespace ZonaIntegritas.Api.Features.Webhooks;

/// <summary>One audit entry as the projector reads it.</summary>
public sealed class OutboxEntry
{
    public long Position { get; init; }
    public string Action { get; init; } = "";
    public string EntityType { get; init; } = "";
    public string EntityId { get; init; } = "";
    public Guid? AgencyId { get; init; }
    public Guid? UnitId { get; init; }
    public string? Changes { get; init; }
    public DateTimeOffset At { get; init; }
}

/// <summary>An event about to be written; <see cref="Data"/> is serialised as the event's <c>data</c>.</summary>
public sealed record NewEvent(string Type, DateTimeOffset At, Guid? AgencyId, Guid? UnitId, object Data);

/// <summary>
/// Turns an audit entry into the events it announces, with a small payload taken from what the entry recorded
/// (ids, the new status, counts); never personal data such as NIPs or names.
/// </summary>
public static class EventMapper
{
    public static IEnumerable<NewEvent> Map(OutboxEntry entry)
    {
        if (EventTypes.For(entry.Action) is not { } type)
        {
            yield break;
        }
        using var changes = JsonDocument.Parse(string.IsNullOrEmpty(entry.Changes) ? "{}" : entry.Changes);
        var root = changes.RootElement;
        var id = Guid.TryParse(entry.EntityId, out var parsed) ? parsed : (Guid?)null;
        switch (type)
        {
            case "declaration.created":
                // One ceremony declares several units: one event per unit, so that each unit's events stay in order and unit keys see theirs.
                foreach (var unit in Array(root, "units"))
                {
                    if (unit.TryGetProperty("unitId", out var unitId) && unitId.TryGetGuid(out var unitGuid))
                    {
                        yield return new NewEvent(type, entry.At, entry.AgencyId, unitGuid, new { declarationId = id, declaredOn = Text(root, "declaredOn") });
                    }
                }
                break;
            case "declaration.withdrawn":
                yield return new NewEvent(type, entry.At, entry.AgencyId, entry.UnitId, new { declarationId = id, reason = After(root, "withdrawalReason") });
                break;
            case "pacts.recorded":
                yield return new NewEvent(type, entry.At, entry.AgencyId, entry.UnitId,
                    new { recorded = Number(root, "recorded"), alreadyRecorded = Number(root, "alreadyRecorded") });
                break;
            case "evidence.added":
                yield return new NewEvent(type, entry.At, entry.AgencyId, entry.UnitId, new
                {
                    evidenceId = id,
                    assessmentId = Text(root, "assessmentId"),
                    itemCode = Text(root, "itemCode"),
                    kind = entry.Action switch { "evidence.linked" => "link", "evidence.version_added" => "version", _ => "file" },
                });
                break;
            case "evidence.reviewed":
                yield return new NewEvent(type, entry.At, entry.AgencyId, entry.UnitId, new { evidenceId = id, status = After(root, "status"), validUntil = After(root, "validUntil") });
                break;
            case "designation.created":
                yield return new NewEvent(type, entry.At, entry.AgencyId, entry.UnitId, new
                {
                    designationId = id, predikat = Text(root, "predikat"), decreeDate = Text(root, "decreeDate"), assessmentId = Text(root, "assessmentId"),
                });
                break;
            case "designation.revoked":
                yield return new NewEvent(type, entry.At, entry.AgencyId, entry.UnitId, new { designationId = id, revokedOn = After(root, "revokedOn") });
                break;
            case "assessment.created":
                yield return new NewEvent(type, entry.At, entry.AgencyId, entry.UnitId, new
                {
                    assessmentId = id, year = Number(root, "year"), target = Text(root, "target"), status = "draft",
                });
                break;
            default:
                // Workflow steps, the national stages included: status before and after.
                yield return new NewEvent(type, entry.At, entry.AgencyId, entry.UnitId, new
                {
                    assessmentId = id, status = After(root, "status"), previousStatus = Before(root, "status"),
                });
                break;
        }
    }

    /// <summary>The layer an answer change was made in (answers.written, answers.derived, answer.cleared).</summary>
    public static string? Layer(OutboxEntry entry)
    {
        using var changes = JsonDocument.Parse(string.IsNullOrEmpty(entry.Changes) ? "{}" : entry.Changes);
        return Text(changes.RootElement, "layer");
    }

    private static IEnumerable<JsonElement> Array(JsonElement root, string name) =>
        root.ValueKind == JsonValueKind.Object && root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Array
            ? value.EnumerateArray().Select(e => e.Clone()).ToList()
            : [];

    private static string? Text(JsonElement root, string name) =>
        root.ValueKind == JsonValueKind.Object && root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static long? Number(JsonElement root, string name) =>
        root.ValueKind == JsonValueKind.Object && root.TryGetProperty(name, out var value) && value.TryGetInt64(out var number) ? number : null;

    private static string? After(JsonElement root, string name) => Side(root, name, "after");

    private static string? Before(JsonElement root, string name) => Side(root, name, "before");

    private static string? Side(JsonElement root, string name, string side) =>
        root.ValueKind == JsonValueKind.Object && root.TryGetProperty(name, out var field) && field.ValueKind == JsonValueKind.Object
            && field.TryGetProperty(side, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
