namespace ZonaIntegritas.Api.Features.Assessments;

/// <summary>The three answer layers: the unit's self-assessment, the internal team (TPI) and the national team (TPN).</summary>
public static class Layers
{
    public const string Self = "self";
    public const string Tpi = "tpi";
    public const string Tpn = "tpn";
    public static readonly string[] All = [Self, Tpi, Tpn];

    /// <summary>Who writes which layer; admin writes all. Scope is checked separately.</summary>
    public static bool MayWrite(string role, string layer) => role switch
    {
        Roles.Admin => true,
        Roles.Inspectorate => layer is Self or Tpi,
        Roles.Unit => layer == Self,
        Roles.Evaluator => layer == Tpn,
        _ => false,
    };
}
