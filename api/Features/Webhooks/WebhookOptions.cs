using System.ComponentModel.DataAnnotations;

namespace ZonaIntegritas.Api.Features.Webhooks;

public sealed class WebhookOptions
{
    public const string Section = "Webhooks";

    /// <summary>Whether this instance projects events and delivers webhooks; the endpoints work either way.</summary>
    public bool Enabled { get; set; } = true;

    [Range(20, 60_000, ErrorMessage = "Webhooks:PollMilliseconds must be between 20 and 60000 (how often the projector and the dispatcher look for work).")]
    public int PollMilliseconds { get; set; } = 250;

    [Range(0, 3600, ErrorMessage = "Webhooks:AnswersDebounceSeconds must be between 0 and 3600.")]
    public int AnswersDebounceSeconds { get; set; } = 10;

    [Range(1, 60, ErrorMessage = "Webhooks:TimeoutSeconds must be between 1 and 60 (how long a receiver may take to answer).")]
    public int TimeoutSeconds { get; set; } = 10;

    [Range(1, 20, ErrorMessage = "Webhooks:MaxAttempts must be between 1 and 20.")]
    public int MaxAttempts { get; set; } = 8;

    [Range(1, 100, ErrorMessage = "Webhooks:ConcurrentDeliveries must be between 1 and 100.")]
    public int ConcurrentDeliveries { get; set; } = 16;

    [Range(1, 3650, ErrorMessage = "Webhooks:RetentionDays must be between 1 and 3650 (how long events and finished deliveries are kept).")]
    public int RetentionDays { get; set; } = 30;

    [Range(1, 86_400, ErrorMessage = "Webhooks:RetentionIntervalSeconds must be between 1 and 86400 (how often events past the retention are deleted).")]
    public int RetentionIntervalSeconds { get; set; } = 600;
}
