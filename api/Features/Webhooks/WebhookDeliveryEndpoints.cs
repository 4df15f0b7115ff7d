using Dapper;
using Microsoft.AspNetCore.Http.HttpResults;
using ZonaIntegritas.Api.Auth;
using ZonaIntegritas.Api.Data;
using ZonaIntegritas.Api.Features.Audit;
using ZonaIntegritas.Api.Http;

namespace ZonaIntegritas.Api.Features.Webhooks;

/// <summary>What happened to a webhook's deliveries, and redelivery on request.</summary>
public static class WebhookDeliveryEndpoints
{
    private const string Select = """
        SELECT d.id, e.id AS event_id, e.type AS event_type, d.event_seq AS event_cursor, e.unit_id, d.status, d.attempts,
               d.last_status_code, d.last_error, d.last_attempt_at, d.next_attempt_at, d.delivered_at, d.created_at
        FROM webhook_deliveries d JOIN events e ON e.seq = d.event_seq
        """;

    public static void Map(RouteGroupBuilder group)
    {
        group.MapGet("/{id:guid}/deliveries", ListWebhookDeliveries)
            .WithName(nameof(ListWebhookDeliveries))
            .WithSummary("A webhook's deliveries, newest first: status, attempts, last response code, next retry")
            .WithDescription("`status`: `pending` (waiting for its first or next attempt), `succeeded` (2xx), `dead` (every attempt failed, or the webhook was deleted).")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesValidationProblem();
        group.MapPost("/{id:guid}/deliveries/{deliveryId:guid}/redeliver", RedeliverWebhookDelivery)
            .WithName(nameof(RedeliverWebhookDelivery))
            .WithSummary("Send a delivery again, with a fresh set of attempts")
            .WithDescription("Any delivery, dead or delivered: it becomes `pending` and due now, with its event's original id (receivers deduplicate by `Webhook-Id`).")
            .ProducesProblem(StatusCodes.Status404NotFound);
    }

    public static async Task<Results<Ok<Page<WebhookDelivery>>, ValidationProblem, ProblemHttpResult>> ListWebhookDeliveries(
        Guid id, [AsParameters] DeliveryQuery query, Caller caller, DbConnectionFactory db, CancellationToken cancellationToken)
    {
        await using var connection = await db.OpenAsync(cancellationToken);
        if (await WebhookEndpoints.FindVisible(connection, caller, id) is null)
        {
            return Problems.NotFound("Webhook", id);
        }
        const string filter = "WHERE d.webhook_id = @Id AND (@Status IS NULL OR d.status = @Status)";
        const string count = $"SELECT COUNT(*) FROM webhook_deliveries d {filter}";
        const string rows = $"{Select} {filter} ORDER BY d.event_seq DESC";
        return TypedResults.Ok(await connection.QueryPageAsync<WebhookDelivery>(db.Dialect, count, rows, new { Id = id, query.Status }, ((IPagedQuery)query).Paging));
    }

    public static async Task<Results<Ok<WebhookDelivery>, ProblemHttpResult>> RedeliverWebhookDelivery(
        Guid id, Guid deliveryId, Caller caller, DbConnectionFactory db, TimeProvider time, CancellationToken cancellationToken)
    {
        await using var connection = await db.OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        if (await WebhookEndpoints.FindVisible(connection, caller, id, transaction) is not { } webhook)
        {
            return Problems.NotFound("Webhook", id);
        }
        const string redeliver = """
            UPDATE webhook_deliveries SET status = 'pending', attempts = 0, next_attempt_at = @Now, lease_until = NULL, lease_holder = NULL
            WHERE id = @DeliveryId AND webhook_id = @Id
            """;
        if (await connection.ExecuteAsync(redeliver, new { Id = id, DeliveryId = deliveryId, Now = time.GetUtcNow() }, transaction) == 0)
        {
            return Problems.NotFound("Delivery", deliveryId);
        }
        await connection.AuditAsync(transaction, caller, new AuditChange("webhook.redelivery_requested", WebhookEndpoints.EntityType, id.ToString(), webhook.AgencyId, null,
            new { DeliveryId = deliveryId }));
        var delivery = await connection.QuerySingleAsync<WebhookDelivery>($"{Select} WHERE d.id = @DeliveryId", new { DeliveryId = deliveryId }, transaction);
        await transaction.CommitAsync(cancellationToken);
        return TypedResults.Ok(delivery);
    }
}
