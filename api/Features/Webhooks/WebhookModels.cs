using System.Text.Json;
using FluentValidation;
using Microsoft.AspNetCore.Mvc;
using ZonaIntegritas.Api.Http;
using ZonaIntegritas.Api.Http.OpenApi;

namespace ZonaIntegritas.Api.Features.Webhooks;

/// <summary>A subscription. <c>agencyId</c> null: every agency's events (admin only).</summary>
public sealed record Webhook
{
    public Guid Id { get; init; }
    public string Url { get; init; } = "";
    /// <summary>Event types, families such as <c>assessment.*</c>, or <c>*</c>.</summary>
    public IReadOnlyList<string> Events { get; init; } = [];
    public Guid? AgencyId { get; init; }
    public DateTimeOffset CreatedAt { get; init; }
    public Guid CreatedBy { get; init; }
}

/// <summary>The creation answer: the only time the signing secret is shown.</summary>
public sealed record CreatedWebhook(Webhook Webhook, string Secret);

public sealed record CreateWebhookRequest(string? Url, IReadOnlyList<string>? Events, Guid? AgencyId, string? Secret)
    : IHasExample<CreateWebhookRequest>
{
    public static CreateWebhookRequest Example => new("https://monitoring.inspektorat.example.go.id/hooks/zi",
        ["assessment.*", "compliance.changed"], Guid.Parse("3f2b8c1e-6d4a-4f7e-9a51-2c8e7d9b0a11"), null);
}

public sealed class CreateWebhookRequestValidator : AbstractValidator<CreateWebhookRequest>
{
    public CreateWebhookRequestValidator(WebhookTargets targets)
    {
        RuleFor(r => r.Url).NotEmpty().MaximumLength(2000);
        RuleFor(r => r.Url).Custom((url, context) =>
        {
            if (!string.IsNullOrEmpty(url) && url.Length <= 2000 && targets.UrlProblem(url) is { } problem)
            {
                context.AddFailure(problem);
            }
        });
        RuleFor(r => r.Events).NotEmpty().WithMessage("events must name at least one event type (or \"*\").");
        RuleFor(r => r.Events).Must(e => e is null || e.Count <= 50).WithMessage("events may name at most 50 types.");
        RuleForEach(r => r.Events).NotEmpty().OneOf(EventTypes.Patterns)
            .WithMessage($"Each event must be one of: {string.Join(", ", EventTypes.Patterns)}.");
        RuleFor(r => r.Secret).Must(s => WebhookSignature.Key(s) is not null).When(r => r.Secret is not null)
            .WithMessage("secret must be whsec_ followed by 24 to 64 bytes in base64; leave it out to get a generated one.");
    }
}

/// <summary>One event as the change stream and the receivers get it.</summary>
public sealed record ChangeEvent
{
    public Guid Id { get; init; }
    /// <summary>
    /// declaration.created|withdrawn, pacts.recorded, assessment.created and assessment.&lt;step&gt; (submitted, returned,
    /// reviewed, proposed, decided and the national evaluation stages), answers.changed, evidence.added|reviewed,
    /// designation.created|revoked, compliance.changed, absorption.behind; receivers also get webhook.test. Open: new
    /// workflow steps add assessment.* types, so treat an unknown type as something to skip.
    /// </summary>
    public string Type { get; init; } = "";
    public DateTimeOffset Time { get; init; }
    public Guid? AgencyId { get; init; }
    public Guid? UnitId { get; init; }
    /// <summary>Small: ids, the new status or stage, counts. Read the resource for the whole of it.</summary>
    public JsonElement Data { get; init; }
}

/// <summary>A page of the change stream: <c>nextCursor</c> goes in the next call's <c>after</c>, also when no event came.</summary>
public sealed record ChangePage(IReadOnlyList<ChangeEvent> Events, long NextCursor);

public sealed record ChangeQuery([FromQuery(Name = "after")] long? After, [FromQuery(Name = "agencyId")] Guid? AgencyId, [FromQuery(Name = "wait")] int? Wait,
    [FromQuery(Name = "limit")] int? Limit);

public sealed class ChangeQueryValidator : AbstractValidator<ChangeQuery>
{
    public const int MaxWaitSeconds = 30;
    public const int MaxLimit = 500;

    public ChangeQueryValidator()
    {
        RuleFor(q => q.After).GreaterThanOrEqualTo(0).When(q => q.After is not null);
        RuleFor(q => q.Wait).InclusiveBetween(0, MaxWaitSeconds).When(q => q.Wait is not null);
        RuleFor(q => q.Limit).InclusiveBetween(1, MaxLimit).When(q => q.Limit is not null);
    }
}

public static class DeliveryStatus
{
    public const string Pending = "pending";
    public const string Succeeded = "succeeded";
    public const string Dead = "dead";
    public static readonly string[] All = [Pending, Succeeded, Dead];
}

/// <summary>One event's delivery to one webhook.</summary>
public sealed record WebhookDelivery
{
    public Guid Id { get; init; }
    public Guid EventId { get; init; }
    /// <summary>The event's type (see the change stream's <c>type</c>).</summary>
    public string EventType { get; init; } = "";
    /// <summary>The event's change-stream cursor.</summary>
    public long EventCursor { get; init; }
    public Guid? UnitId { get; init; }
    [Vocabulary(typeof(DeliveryStatus), nameof(DeliveryStatus.All))]
    public string Status { get; init; } = "";
    public int Attempts { get; init; }
    public int? LastStatusCode { get; init; }
    public string? LastError { get; init; }
    public DateTimeOffset? LastAttemptAt { get; init; }
    /// <summary>When the next attempt is due; null once succeeded or dead.</summary>
    public DateTimeOffset? NextAttemptAt { get; init; }
    public DateTimeOffset? DeliveredAt { get; init; }
    public DateTimeOffset CreatedAt { get; init; }
}

public sealed record WebhookListQuery([FromQuery(Name = "page")] int? Page, [FromQuery(Name = "pageSize")] int? PageSize) : IPagedQuery;

public sealed class WebhookListQueryValidator : PagedQueryValidator<WebhookListQuery>;

public sealed record DeliveryQuery([FromQuery(Name = "status"), Vocabulary(typeof(DeliveryStatus), nameof(DeliveryStatus.All))] string? Status, [FromQuery(Name = "page")] int? Page, [FromQuery(Name = "pageSize")] int? PageSize)
    : IPagedQuery;

public sealed class DeliveryQueryValidator : PagedQueryValidator<DeliveryQuery>
{
    public DeliveryQueryValidator()
    {
        RuleFor(q => q.Status).OneOf(DeliveryStatus.All).WithMessage($"status must be one of: {string.Join(", ", DeliveryStatus.All)}.");
    }
}

/// <summary>The answer of a test send: one signed <c>webhook.test</c> event, sent at once and not retried.</summary>
public sealed record WebhookTestResult(Guid EventId, bool Delivered, int? StatusCode, string? Error);
