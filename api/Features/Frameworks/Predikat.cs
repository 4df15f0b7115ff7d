namespace ZonaIntegritas.Api.Features.Frameworks;

/// <summary>
/// The two designations a unit can be proposed for and hold (also the keys of a framework's thresholds): WBK, and WBBM,
/// which needs a WBK held.
/// </summary>
public static class Predikat
{
    public const string Wbk = "WBK";
    public const string Wbbm = "WBBM";

    public static readonly string[] All = [Wbk, Wbbm];

    /// <summary>The message when a predikat filter is neither.</summary>
    public const string Invalid = "predikat must be WBK or WBBM.";
}
