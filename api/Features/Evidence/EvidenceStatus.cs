namespace ZonaIntegritas.Api.Features.Evidence;

/// <summary>
/// The review statuses of evidence. <c>expired</c> is never stored: it is accepted evidence read after its
/// <c>validUntil</c>, so the rule lives here once, for C# and (as SQL conditions on <c>e.</c>) for the queries.
/// </summary>
public static class EvidenceStatus
{
    public const string Submitted = "submitted";
    public const string Accepted = "accepted";
    public const string Rejected = "rejected";
    public const string RevisionRequested = "revision_requested";
    public const string Expired = "expired";

    /// <summary>Every status a reader sees, in the order the list filter names them.</summary>
    public static readonly string[] All = [Submitted, Accepted, Rejected, RevisionRequested, Expired];

    /// <summary>The decisions a review may record.</summary>
    public static readonly string[] Decisions = [Accepted, Rejected, RevisionRequested];

    public static string Effective(string status, DateOnly? validUntil, DateOnly today) =>
        status == Accepted && validUntil < today ? Expired : status;

    public static bool IsAccepted(string status, DateOnly? validUntil, DateOnly today) => Effective(status, validUntil, today) == Accepted;

    /// <summary>The same rule as <see cref="Effective"/> in SQL, for evidence aliased <c>e</c> and the day in <c>@Today</c>.</summary>
    public const string AcceptedSql = "e.status = 'accepted' AND (e.valid_until IS NULL OR e.valid_until >= @Today)";

    public const string ExpiredSql = "e.status = 'accepted' AND e.valid_until < @Today";
}
