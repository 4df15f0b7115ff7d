namespace ZonaIntegritas.Api.Features.Audit;

/// <summary>Audit entity types with a meaning beyond their name: what cached views a change to them invalidates.</summary>
public static class AuditEntities
{
    public const string ApiKey = "api_key";

    /// <summary>A client address (refused or bursts of failed authentication): no cached view depends on it.</summary>
    public const string Client = "client";

    /// <summary>A call to a PortalRB pull endpoint (the fetch log): a read on record, which changes no answer it read.</summary>
    public const string PortalRbFetch = "portalrb_fetch";

    public static ChangeKind KindOf(string entityType) => entityType switch
    {
        ApiKey => ChangeKind.ApiKeys,
        Client => ChangeKind.None,
        PortalRbFetch => ChangeKind.Fetch,
        _ => ChangeKind.Content,
    };
}
