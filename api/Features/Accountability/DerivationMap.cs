namespace ZonaIntegritas.Api.Features.Accountability;

/// <summary>The catalogue items the accountability data determine (PermenPANRB 90/2021; see docs/accountability.md).</summary>
public static class DerivationMap
{
    /// <summary>"Persentase Sasaran dengan capaian 100% atau lebih" (PERSEN, computed from the two inputs below).</summary>
    public const string TargetsMetPercent = "AK.R.1.a";
    /// <summary>"Jumlah Sasaran Kinerja".</summary>
    public const string TargetCount = "AK.R.1.a.1";
    /// <summary>"Jumlah Sasaran Kinerja yang tercapai 100% atau lebih".</summary>
    public const string TargetsMetCount = "AK.R.1.a.2";
    /// <summary>Komponen hasil "Capaian Kinerja Lebih Baik dari pada Capaian Kinerja Sebelumnya" (ABCDE).</summary>
    public const string BetterThanLastYear = "HB.2";
}
