using System.Data.Common;
using System.Text.Json;
using Dapper;

namespace ZonaIntegritas.Api.Features.Webhooks;

/// <summary>Writes events and, in the same transaction, one delivery per matching subscription.</summary>
public static class EventWriter
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private sealed class Subscription
    {
        public Guid Id { get; init; }
        public string Events { get; init; } = "";
        public Guid? AgencyId { get; init; }
    }

    /// <summary>The JSON receivers get: the stored body is sent byte for byte, so its signature stays valid.</summary>
    public static string Body(Guid id, string type, DateTimeOffset at, Guid? agencyId, Guid? unitId, object data) =>
        JsonSerializer.Serialize(new { id, type, time = at, agencyId, unitId, data }, Json);

    /// <summary>Scoped like keys: an agency's subscription only takes its agency's events; one without agency takes all.</summary>
    private static bool Takes(Subscription subscription, string[] patterns, NewEvent e) =>
        (subscription.AgencyId is null || subscription.AgencyId == e.AgencyId) && EventTypes.Matches(patterns, e.Type);

    public static async Task WriteAsync(DbConnection connection, DbTransaction transaction, IReadOnlyList<NewEvent> events, DateTimeOffset now)
    {
        if (events.Count == 0)
        {
            return;
        }
        const string subscriptions = "SELECT id, events, agency_id FROM webhooks WHERE deleted_at IS NULL";
        var active = (await connection.QueryAsync<Subscription>(subscriptions, transaction: transaction))
            .Select(s => (Subscription: s, Patterns: s.Events.Split(' ', StringSplitOptions.RemoveEmptyEntries)))
            .ToList();
        const string insertEvent = """
            INSERT INTO events (id, type, at, agency_id, unit_id, body) VALUES (@Id, @Type, @At, @AgencyId, @UnitId, @Body)
            """;
        const string insertDelivery = """
            INSERT INTO webhook_deliveries (id, webhook_id, event_seq, ordering_key, status, attempts, next_attempt_at, created_at)
            SELECT @Id, @WebhookId, seq, @OrderingKey, 'pending', 0, @Now, @Now FROM events WHERE id = @EventId
            """;
        foreach (var e in events)
        {
            var id = Guid.NewGuid();
            await connection.ExecuteAsync(insertEvent, new { Id = id, e.Type, e.At, e.AgencyId, e.UnitId, Body = Body(id, e.Type, e.At, e.AgencyId, e.UnitId, e.Data) }, transaction);
            var orderingKey = e.UnitId?.ToString() ?? e.AgencyId?.ToString() ?? "*";
            var deliveries = active.Where(s => Takes(s.Subscription, s.Patterns, e))
                .Select(s => new { Id = Guid.NewGuid(), WebhookId = s.Subscription.Id, OrderingKey = orderingKey, Now = now, EventId = id })
                .ToList();
            if (deliveries.Count > 0)
            {
                await connection.ExecuteAsync(insertDelivery, deliveries, transaction);
            }
        }
    }
}
