namespace ZonaIntegritas.Api.Features.Audit;

/// <summary>Audit entity types with a meaning beyond their name: what cached views a change to them invalidates.</summary>
public static class AuditEntities
{
    public const string ApiKey = "api_key";

    /// <summary>A client address (refused or bursts of failed authentication): no cached view depends on it.</summary>
    public const string Client = "client";

    public static ChangeKind KindOf(string entityType) => entityType switch
    {
        ApiKey => ChangeKind.ApiKeys,
        Client => ChangeKind.None,
        _ => ChangeKind.Content,
    };
}
