namespace ZonaIntegritas.Api.Features.Audit;

/// <summary>Audit entity types with a meaning beyond their name: what cached views a change to them invalidates.</summary>
public static class AuditEntities
{
    public const string ApiKey = "api_key";

    /// <summary>A client address (refused or bursts of failed authentication): no cached view depends on it.</summary>
    public const string Client = "client";

    /// <summary>A call to a PortalRB pull endpoint (the fetch log): a read on record, which changes no answer it read.</summary>
    public const string PortalRbFetch = "portalrb_fetch";

    /// <summary>
    /// A stored compliance document rebuilt because a date came rather than a write (action <see cref="DatePassed"/>),
    /// recorded by the service itself in the transaction that saved the document: it marks nothing stale (it follows
    /// the save), and it tells the webhook projector to compare the unit's stage, flags and absorption again.
    /// </summary>
    public const string ComplianceDocument = "compliance_document";

    public const string DatePassed = "compliance.date_passed";

    public static ChangeKind KindOf(string entityType) => entityType switch
    {
        ApiKey => ChangeKind.ApiKeys,
        Client => ChangeKind.None,
        PortalRbFetch => ChangeKind.Fetch,
        // The service's own rebuild of a stored document when a date came: like a fetch, it changes what the compliance
        // document shows and never the answers PortalRB fetches, so cached answer sheets stay (a refresher running
        // between two fetches must not make the second one read again).
        ComplianceDocument => ChangeKind.Fetch,
        _ => ChangeKind.Content,
    };

    /// <summary>
    /// Whether a write recorded as <paramref name="action"/> on <paramref name="entityType"/> can change a unit's
    /// compliance document: not keys, client addresses, webhook subscriptions, an agency's own name and code, nor
    /// PortalRB's reads (a jawaban-unit fetch shows in the document, but that part is read from the fetch log when the
    /// document is sent, so that PortalRB's polling does not rebuild documents), nor the document's own rebuild when a
    /// date came (marking it would only rebuild it again).
    /// </summary>
    public static bool ChangesComplianceDocuments(string action, string entityType) =>
        entityType is not (ApiKey or Client or Webhook or ComplianceDocument)
        && action is not ("agency.created" or "agency.updated")
        && !action.StartsWith("portalrb.", StringComparison.Ordinal);

    /// <summary>Webhook subscriptions and their deliveries (api/Features/Webhooks).</summary>
    public const string Webhook = "webhook";
}
