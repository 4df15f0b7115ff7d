namespace ZonaIntegritas.Api.Features.Assessments;

/// <summary>
/// draft → self_submitted → tpi_reviewed → proposed, then the national evaluation (docs/workflow.md): administrative
/// selection (selection_passed | passed_with_notes | selection_failed → appealed → proposed again | appeal_rejected),
/// desk_evaluated, field_evaluated, and designated | not_designated. The TPI may return a submitted or reviewed
/// assessment to the unit (returned, which behaves like draft).
/// </summary>
public static class AssessmentStatus
{
    public const string Draft = "draft";
    public const string Returned = "returned";
    public const string SelfSubmitted = "self_submitted";
    public const string TpiReviewed = "tpi_reviewed";
    public const string Proposed = "proposed";
    public const string SelectionPassed = "selection_passed";
    public const string PassedWithNotes = "passed_with_notes";
    public const string SelectionFailed = "selection_failed";
    public const string Appealed = "appealed";
    public const string AppealRejected = "appeal_rejected";
    public const string DeskEvaluated = "desk_evaluated";
    public const string FieldEvaluated = "field_evaluated";
    public const string Designated = "designated";
    public const string NotDesignated = "not_designated";

    public static readonly IReadOnlyDictionary<string, string[]> Allowed = new Dictionary<string, string[]>
    {
        [Draft] = ["submit"],
        [Returned] = ["submit"],
        [SelfSubmitted] = ["return", "review"],
        [TpiReviewed] = ["return", "propose"],
        [Proposed] = ["select"],
        [SelectionPassed] = ["desk_evaluate"],
        [PassedWithNotes] = ["desk_evaluate", "decide"],
        [SelectionFailed] = ["appeal"],
        [Appealed] = ["accept_appeal", "reject_appeal"],
        [AppealRejected] = [],
        [DeskEvaluated] = ["field_evaluate", "decide"],
        [FieldEvaluated] = ["decide"],
        [Designated] = [],
        [NotDesignated] = [],
    };

    /// <summary>Every action of the history: the transitions, and the follow-up events that keep the status.</summary>
    public static readonly string[] Actions =
        ["submit", "return", "review", "propose", "select", "fulfil_follow_up", "waive_follow_up", "appeal", "accept_appeal", "reject_appeal",
         "desk_evaluate", "field_evaluate", "decide"];

    /// <summary>Every status, in workflow order (the OpenAPI enum of statuses).</summary>
    public static readonly string[] All = [.. Allowed.Keys];

    /// <summary>The statuses of the national evaluation, from the proposal to the decision: the national stage filter.</summary>
    public static readonly string[] National =
        [Proposed, SelectionPassed, PassedWithNotes, SelectionFailed, Appealed, AppealRejected, DeskEvaluated, FieldEvaluated, Designated, NotDesignated];

    // The same lists as SQL literals for the compliance stage (plain text, so the SQL Server script tests can expand them);
    // a test holds them equal to National and IsFinal.
    /// <summary>Proposed and not finally decided: the compliance stage "proposed".</summary>
    public const string InNationalEvaluationSql = "'proposed', 'selection_passed', 'passed_with_notes', 'selection_failed', 'appealed', 'desk_evaluated', 'field_evaluated'";

    /// <summary>Finished: nothing more can happen to the assessment.</summary>
    public const string FinalSql = "'designated', 'not_designated', 'appeal_rejected'";

    public static bool IsFinal(string status) => status is Designated or NotDesignated or AppealRejected;

    /// <summary>
    /// Whether evidence may still be uploaded, versioned or withdrawn (admin may always): not once the assessment is proposed,
    /// except while the unit answers a conditional pass (its follow-ups) or prepares its appeal.
    /// </summary>
    public static bool EvidenceOpen(string status) => status is Draft or Returned or SelfSubmitted or TpiReviewed or PassedWithNotes or SelectionFailed;

    /// <summary>Whether a layer's answers may still change in this status (admin may always change them).</summary>
    public static bool LayerOpen(string status, string layer) => layer switch
    {
        Layers.Self => status is Draft or Returned,
        Layers.Tpi => status is Draft or Returned or SelfSubmitted,
        _ => !IsFinal(status),
    };
}
