using System.Data.Common;
using System.Net;
using Dapper;
using Microsoft.AspNetCore.Http.HttpResults;
using ZonaIntegritas.Api.Auth;
using ZonaIntegritas.Api.Data;
using ZonaIntegritas.Api.Features.Audit;
using ZonaIntegritas.Api.Http;

namespace ZonaIntegritas.Api.Features.Webhooks;

public static class WebhookEndpoints
{
    public const string EntityType = AuditEntities.Webhook;
    private const string Columns = "id, url, events, agency_id, created_at, created_by";

    private sealed class Row
    {
        public Guid Id { get; init; }
        public string Url { get; init; } = "";
        public string Events { get; init; } = "";
        public Guid? AgencyId { get; init; }
        public DateTimeOffset CreatedAt { get; init; }
        public Guid CreatedBy { get; init; }
        public string Secret { get; init; } = "";

        public Webhook ToWebhook() => new()
        {
            Id = Id, Url = Url, Events = Events.Split(' ', StringSplitOptions.RemoveEmptyEntries), AgencyId = AgencyId, CreatedAt = CreatedAt, CreatedBy = CreatedBy,
        };
    }

    public static RouteGroupBuilder MapWebhooks(this RouteGroupBuilder api)
    {
        var group = api.MapGroup("/webhooks").WithTags("Webhooks")
            .RequireAuthorization(policy => policy.RequireRole(Roles.Admin, Roles.Inspectorate)).WithValidation();

        group.MapPost("/", CreateWebhook)
            .WithName(nameof(CreateWebhook))
            .WithSummary("Subscribe a URL to events")
            .WithDescription("""
                Admin, or an inspectorate for its own agency (`agencyId` defaults to it). Without `agencyId` (admin only) the
                webhook receives every agency's events. `events`: types such as `compliance.changed`, families such as
                `assessment.*` (which include workflow steps added later), or `*`. The URL must be https and public: loopback,
                private, link-local, unique-local, CGNAT and multicast addresses are refused (400 naming `url`), here and again
                when each event is sent, after DNS resolution. Deliveries are POSTs of the event JSON signed the Standard Webhooks
                way (`Webhook-Id`, `Webhook-Timestamp`, `Webhook-Signature: v1,<base64 HMAC-SHA256 of id.timestamp.body>` with the
                key in the `whsec_` secret). The secret is in this response only; send your own as `secret` or take the generated one.
                """)
            .ProducesValidationProblem();
        group.MapGet("/", ListWebhooks)
            .WithName(nameof(ListWebhooks))
            .WithSummary("List the webhooks this key manages (without secrets)");
        group.MapGet("/{id:guid}", GetWebhook)
            .WithName(nameof(GetWebhook))
            .WithSummary("One webhook (without its secret)")
            .ProducesProblem(StatusCodes.Status404NotFound);
        group.MapDelete("/{id:guid}", DeleteWebhook)
            .WithName(nameof(DeleteWebhook))
            .WithSummary("Unsubscribe; pending deliveries become dead")
            .ProducesProblem(StatusCodes.Status404NotFound);
        group.MapPost("/{id:guid}/test", TestWebhook)
            .WithName(nameof(TestWebhook))
            .WithSummary("Send a signed webhook.test event now and report what the receiver answered")
            .WithDescription("One attempt, not retried and not kept: `delivered` is true for a 2xx answer; otherwise `statusCode` or `error` say why.")
            .ProducesProblem(StatusCodes.Status404NotFound);
        WebhookDeliveryEndpoints.Map(group);
        return api;
    }

    internal static async Task<Webhook?> FindVisible(DbConnection connection, Caller caller, Guid id, DbTransaction? transaction = null) =>
        (await FindRow(connection, caller, id, transaction))?.ToWebhook();

    private static async Task<Row?> FindRow(DbConnection connection, Caller caller, Guid id, DbTransaction? transaction = null)
    {
        const string sql = $"SELECT {Columns}, secret FROM webhooks WHERE id = @Id AND deleted_at IS NULL";
        var row = await connection.QuerySingleOrDefaultAsync<Row>(sql, new { Id = id }, transaction);
        return row is not null && (row.AgencyId is { } agency ? caller.CanSeeAgency(agency) : caller.IsNational) ? row : null;
    }

    public static async Task<Results<Created<CreatedWebhook>, ValidationProblem>> CreateWebhook(
        CreateWebhookRequest request, Caller caller, DbConnectionFactory db, WebhookTargets targets, TimeProvider time, CancellationToken cancellationToken)
    {
        var agencyId = request.AgencyId ?? caller.ScopeAgencyId;
        await using var connection = await db.OpenAsync(cancellationToken);
        if (agencyId is { } agency && (!caller.CanSeeAgency(agency) || await Agencies.AgencyQueries.Find(connection, agency) is null))
        {
            return Problems.Invalid("agencyId", $"Agency '{agency}' does not exist.");
        }
        if (await ResolvedAddressProblem(targets, request.Url!, cancellationToken) is { } refused)
        {
            return Problems.Invalid("url", refused);
        }
        var webhook = new Webhook
        {
            Id = Guid.NewGuid(), Url = request.Url!, Events = request.Events!.Distinct().ToList(), AgencyId = agencyId, CreatedAt = time.GetUtcNow(), CreatedBy = caller.KeyId,
        };
        var secret = request.Secret ?? WebhookSignature.NewSecret();
        const string sql = """
            INSERT INTO webhooks (id, url, events, agency_id, secret, created_at, created_by, deleted_at)
            VALUES (@Id, @Url, @Events, @AgencyId, @Secret, @CreatedAt, @CreatedBy, NULL)
            """;
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await connection.ExecuteAsync(sql, new { webhook.Id, webhook.Url, Events = string.Join(' ', webhook.Events), webhook.AgencyId, Secret = secret, webhook.CreatedAt, webhook.CreatedBy }, transaction);
        // The secret is key material: never in the trail.
        await connection.AuditAsync(transaction, caller, new AuditChange("webhook.created", EntityType, webhook.Id.ToString(), webhook.AgencyId, null,
            new { webhook.Url, webhook.Events, webhook.AgencyId }));
        await transaction.CommitAsync(cancellationToken);
        return TypedResults.Created($"/api/v1/webhooks/{webhook.Id}", new CreatedWebhook(webhook, secret));
    }

    /// <summary>
    /// A name is resolved now too, so an obviously internal target is refused at once; a name that does not resolve
    /// yet is accepted (DNS may follow), since every send checks the addresses again.
    /// </summary>
    private static async Task<string?> ResolvedAddressProblem(WebhookTargets targets, string url, CancellationToken cancellationToken)
    {
        var host = new Uri(url).DnsSafeHost;
        if (IPAddress.TryParse(host, out _))
        {
            return null;
        }
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(TimeSpan.FromSeconds(3));
        try
        {
            var addresses = await Dns.GetHostAddressesAsync(host, limit.Token);
            return addresses.Select(targets.AddressProblem).FirstOrDefault(p => p is not null);
        }
        catch (Exception e) when (e is System.Net.Sockets.SocketException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return null;
        }
    }

    public static async Task<Results<Ok<Page<Webhook>>, ValidationProblem>> ListWebhooks(
        Caller caller, DbConnectionFactory db, [AsParameters] WebhookListQuery query, CancellationToken cancellationToken)
    {
        const string count = "SELECT COUNT(*) FROM webhooks WHERE deleted_at IS NULL AND (@All = 1 OR agency_id = @AgencyId)";
        const string rows = $"SELECT {Columns} FROM webhooks WHERE deleted_at IS NULL AND (@All = 1 OR agency_id = @AgencyId) ORDER BY created_at, id";
        await using var connection = await db.OpenAsync(cancellationToken);
        var found = await connection.QueryPageAsync<Row>(db.Dialect, count, rows, new { All = caller.ScopeAgencyId is null ? 1 : 0, AgencyId = caller.ScopeAgencyId }, ((IPagedQuery)query).Paging);
        return TypedResults.Ok(new Page<Webhook>(found.Items.Select(r => r.ToWebhook()).ToList(), found.PageNumber, found.PageSize, found.Total));
    }

    public static async Task<Results<Ok<Webhook>, ProblemHttpResult>> GetWebhook(Guid id, Caller caller, DbConnectionFactory db, CancellationToken cancellationToken)
    {
        await using var connection = await db.OpenAsync(cancellationToken);
        return await FindVisible(connection, caller, id) is { } webhook ? TypedResults.Ok(webhook) : Problems.NotFound("Webhook", id);
    }

    public static async Task<Results<NoContent, ProblemHttpResult>> DeleteWebhook(
        Guid id, Caller caller, DbConnectionFactory db, TimeProvider time, CancellationToken cancellationToken)
    {
        await using var connection = await db.OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        if (await FindVisible(connection, caller, id, transaction) is not { } webhook)
        {
            return Problems.NotFound("Webhook", id);
        }
        var now = time.GetUtcNow();
        await connection.ExecuteAsync("UPDATE webhooks SET deleted_at = @Now WHERE id = @Id AND deleted_at IS NULL", new { Id = id, Now = now }, transaction);
        const string abandon = """
            UPDATE webhook_deliveries SET status = 'dead', next_attempt_at = NULL, last_error = 'The webhook was deleted.'
            WHERE webhook_id = @Id AND status = 'pending'
            """;
        await connection.ExecuteAsync(abandon, new { Id = id }, transaction);
        await connection.AuditAsync(transaction, caller, new AuditChange("webhook.deleted", EntityType, id.ToString(), webhook.AgencyId, null,
            AuditTrail.Diff(("deletedAt", null, now))));
        await transaction.CommitAsync(cancellationToken);
        return TypedResults.NoContent();
    }

    public static async Task<Results<Ok<WebhookTestResult>, ProblemHttpResult>> TestWebhook(
        Guid id, Caller caller, DbConnectionFactory db, WebhookSender sender, TimeProvider time, CancellationToken cancellationToken)
    {
        Row? row;
        await using (var connection = await db.OpenAsync(cancellationToken))
        {
            row = await FindRow(connection, caller, id);
        }
        if (row is null)
        {
            return Problems.NotFound("Webhook", id);
        }
        var eventId = Guid.NewGuid();
        var body = EventWriter.Body(eventId, EventTypes.Test, time.GetUtcNow(), row.AgencyId, null, new { webhookId = id });
        var outcome = await sender.SendAsync(row.Url, row.Secret, eventId.ToString(), body, cancellationToken);
        return TypedResults.Ok(new WebhookTestResult(eventId, outcome.Succeeded, outcome.StatusCode, outcome.Error));
    }
}
