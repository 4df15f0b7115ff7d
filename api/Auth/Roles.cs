namespace ZonaIntegritas.Api.Auth;

public static class Roles
{
    public const string Admin = "admin";
    public const string Inspectorate = "inspectorate";
    public const string Evaluator = "evaluator";
    public const string Unit = "unit";
    public const string Reader = "reader";

    public static readonly IReadOnlyList<string> All = [Admin, Inspectorate, Evaluator, Unit, Reader];
}

/// <summary>Authorization policies: which roles may perform a kind of action. Scope (which agency or unit) is checked per resource.</summary>
public static class Policies
{
    public const string Admin = "admin-only";
    public const string ManageDeclarations = "manage-declarations";
    public const string RecordPacts = "record-pacts";
    public const string StartAssessments = "start-assessments";
    public const string WriteAnswers = "write-answers";
    public const string UploadEvidence = "upload-evidence";
    public const string ReviewEvidence = "review-evidence";
    public const string Decide = "decide";
    public const string ReadAudit = "read-audit";
    public const string WriteAccountability = "write-accountability";
    public const string SetMilestones = "set-milestones";
}
