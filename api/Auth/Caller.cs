using System.Reflection;
using System.Security.Claims;

namespace ZonaIntegritas.Api.Auth;

/// <summary>The API key behind the current request, with the scope it may see.</summary>
public sealed record Caller(Guid KeyId, string Role, Guid? AgencyId, Guid? UnitId)
{
    public const string AgencyClaim = "zi:agency";
    public const string UnitClaim = "zi:unit";

    public bool IsAdmin => Role == Roles.Admin;

    /// <summary>Admin, evaluator and a reader without an agency see every agency.</summary>
    public bool IsNational => Role is Roles.Admin or Roles.Evaluator || (Role == Roles.Reader && AgencyId is null);

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
    public static ValueTask<Caller?> BindAsync(HttpContext context, ParameterInfo parameter) =>
        ValueTask.FromResult<Caller?>(From(context.User));

    private static Guid? ParseOptional(string? value) => value is null ? null : Guid.Parse(value);
}
