namespace ZonaIntegritas.Api.Auth;

/// <summary>A stored key as authentication needs it.</summary>
public sealed class ApiKeyRow
{
    public Guid Id { get; init; }
    public string Role { get; init; } = "";
    public Guid? AgencyId { get; init; }
    public Guid? UnitId { get; init; }
    public byte[] KeyHash { get; init; } = [];
    public DateTimeOffset? ExpiresAt { get; init; }
    public DateTimeOffset? RevokedAt { get; init; }
    public Guid? UnitAgencyId { get; init; }
}

/// <summary>A key row in the <see cref="ViewCache"/>, by the hex of its hash; fresh while no key has changed since it was read.</summary>
public sealed record ApiKeyHash(string Hex) : IViewKey<ApiKeyRow>
{
    public long SizeOf(ApiKeyRow value) => 400;
}
