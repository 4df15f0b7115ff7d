using Microsoft.AspNetCore.Http.HttpResults;

namespace ZonaIntegritas.Api.Features.Workflow;

/// <summary>
/// The names of the rules a national-evaluation step or a proposal can fail on: each 422 carries one as <c>rule</c>, so
/// that clients branch on it rather than on the wording. docs/workflow.md gives each rule's source.
/// </summary>
public static class NationalRules
{
    public const string AuditOpinionMissing = "audit_opinion_missing";
    public const string AuditOpinionNotWtp = "audit_opinion_not_wtp";
    public const string ProposalQuotaReached = "proposal_quota_reached";
    public const string FollowUpsOpen = "follow_ups_open";
    public const string FollowUpsOverdue = "follow_ups_overdue";
    public const string AppealOutsideWindow = "appeal_outside_window";
    public const string OneAppealPerUnitAndYear = "one_appeal_per_unit_and_year";
    public const string FieldEvaluationRequired = "field_evaluation_required";
    public const string EvaluationDateOrder = "evaluation_date_order";
    public const string FollowUpEvidence = "follow_up_evidence";
    public const string WorkbookStale = "workbook_stale";

    public static ProblemHttpResult Refuse(string rule, string detail, Dictionary<string, object?> extensions)
    {
        extensions["rule"] = rule;
        return Problems.Unprocessable(detail, extensions);
    }
}
