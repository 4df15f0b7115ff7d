namespace ZonaIntegritas.Api.Features.Assessments;

/// <summary>
/// draft → self_submitted → tpi_reviewed → proposed → designated | not_designated; the TPI may return a submitted or
/// reviewed assessment to the unit (returned, which behaves like draft).
/// </summary>
public static class AssessmentStatus
{
    public const string Draft = "draft";
    public const string Returned = "returned";
    public const string SelfSubmitted = "self_submitted";
    public const string TpiReviewed = "tpi_reviewed";
    public const string Proposed = "proposed";
    public const string Designated = "designated";
    public const string NotDesignated = "not_designated";

    public static readonly IReadOnlyDictionary<string, string[]> Allowed = new Dictionary<string, string[]>
    {
        [Draft] = ["submit"],
        [Returned] = ["submit"],
        [SelfSubmitted] = ["return", "review"],
        [TpiReviewed] = ["return", "propose"],
        [Proposed] = ["decide"],
        [Designated] = [],
        [NotDesignated] = [],
    };

    /// <summary>Whether evidence may still be uploaded, versioned or withdrawn (admin may always): not once the assessment is proposed or decided.</summary>
    public static bool EvidenceOpen(string status) => status is not (Proposed or Designated or NotDesignated);

    /// <summary>Whether a layer's answers may still change in this status (admin may always change them).</summary>
    public static bool LayerOpen(string status, string layer) => layer switch
    {
        Layers.Self => status is Draft or Returned,
        Layers.Tpi => status is Draft or Returned or SelfSubmitted,
        _ => status is not (Designated or NotDesignated),
    };
}
