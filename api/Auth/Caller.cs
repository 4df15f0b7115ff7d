using System.Reflection;
using System.Security.Claims;

namespace ZonaIntegritas.Api.Auth;

/// <summary>The API key behind the current request, with the scope it may see.</summary>
public sealed record Caller(Guid KeyId, string Role, Guid? AgencyId, Guid? UnitId)
{
    public const string AgencyClaim = "zi:agency";
    public const string UnitClaim = "zi:unit";

    /// <summary>The request's trace identifier, recorded with every audit entry it causes.</summary>
    public string? RequestId { get; init; }

    public string? ClientIp { get; init; }

    /// <summary>When the request was authenticated; the time its audit entries carry.</summary>
    public DateTimeOffset At { get; init; }

    /// <summary>Units and agencies this request changed; cached documents of them are dropped once the handler returns.</summary>
    public ChangeSet Changes { get; init; } = new();

    public bool IsAdmin => Role == Roles.Admin;

    /// <summary>Admin, evaluator and a reader without an agency see every agency.</summary>
    public bool IsNational => Role is Roles.Admin or Roles.Evaluator || (Role == Roles.Reader && AgencyId is null);

    /// <summary>The one agency a list is limited to for this key; null for national keys.</summary>
    public Guid? ScopeAgencyId => IsNational ? null : AgencyId;

    /// <summary>The one unit a list is limited to for this key (unit keys only).</summary>
    public Guid? ScopeUnitId => Role == Roles.Unit ? UnitId : null;

    public bool CanSeeAgency(Guid agencyId) => IsNational || AgencyId == agencyId;

    public bool CanSeeUnit(Guid unitId, Guid agencyId) => Role == Roles.Unit ? UnitId == unitId : CanSeeAgency(agencyId);

    /// <summary>Whether this key may record data (such as pacts) for the unit; the role itself is checked by policy.</summary>
    public bool CanWriteForUnit(Guid unitId, Guid agencyId) => Role switch
    {
        Roles.Admin => true,
        Roles.Inspectorate => AgencyId == agencyId,
        Roles.Unit => UnitId == unitId,
        _ => false,
    };

    public static Caller From(ClaimsPrincipal user)
    {
        var id = user.FindFirstValue(ClaimTypes.NameIdentifier)
            ?? throw new InvalidOperationException("The endpoint requires an authenticated API key.");
        return new Caller(
            Guid.Parse(id),
            user.FindFirstValue(ClaimTypes.Role)!,
            ParseOptional(user.FindFirstValue(AgencyClaim)),
            ParseOptional(user.FindFirstValue(UnitClaim)));
    }

    // Lets handlers take a Caller parameter; minimal APIs call this instead of reading the body.
    public static ValueTask<Caller?> BindAsync(HttpContext context, ParameterInfo parameter)
    {
        var changes = context.Features.Get<ChangeSet>();
        if (changes is null)
        {
            changes = new ChangeSet();
            context.Features.Set(changes);
        }
        return ValueTask.FromResult<Caller?>(From(context.User) with
        {
            RequestId = context.TraceIdentifier,
            ClientIp = context.Connection.RemoteIpAddress?.ToString(),
            At = context.RequestServices.GetRequiredService<TimeProvider>().GetUtcNow(),
            Changes = changes,
        });
    }

    private static Guid? ParseOptional(string? value) => value is null ? null : Guid.Parse(value);
}
