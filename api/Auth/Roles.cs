namespace ZonaIntegritas.Api.Auth;

public static class Roles
{
    public const string Admin = "admin";
    public const string Inspectorate = "inspectorate";
    public const string Evaluator = "evaluator";
    public const string Unit = "unit";
    public const string Reader = "reader";

    /// <summary>KemenPANRB's PortalRB pulling one agency's proposals: accepted only on the PortalRB endpoints (/portalrb/v1).</summary>
    public const string PortalRb = "portalrb";

    /// <summary>The roles the /api/v1 endpoints accept.</summary>
    public static readonly IReadOnlyList<string> Api = [Admin, Inspectorate, Evaluator, Unit, Reader];

    public static readonly IReadOnlyList<string> All = [.. Api, PortalRb];
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
    /// <summary>Every /api/v1 endpoint: any role but <see cref="Roles.PortalRb"/>.</summary>
    public const string Api = "api";
    /// <summary>The PortalRB pull endpoints: a portalrb key, or admin for testing.</summary>
    public const string PortalRb = "portalrb";
}
