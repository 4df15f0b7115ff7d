namespace ZonaIntegritas.Api.Features.Webhooks;

/// <summary>The event vocabulary and which audit action becomes which event.</summary>
public static class EventTypes
{
    public const string AnswersChanged = "answers.changed";
    public const string ComplianceChanged = "compliance.changed";
    public const string AbsorptionBehind = "absorption.behind";
    public const string Test = "webhook.test";

    public static readonly string[] All =
    [
        "declaration.created", "declaration.withdrawn", "pacts.recorded",
        "assessment.created", "assessment.submitted", "assessment.returned", "assessment.reviewed", "assessment.proposed", "assessment.decided",
        AnswersChanged, "evidence.added", "evidence.reviewed", "designation.created", "designation.revoked",
        ComplianceChanged, AbsorptionBehind,
    ];

    /// <summary>What a subscription may name: a type, a family (<c>assessment.*</c>, which also takes workflow steps added later) or <c>*</c>.</summary>
    public static readonly string[] Patterns =
        [.. All, .. All.Select(t => t[..t.IndexOf('.')] + ".*").Distinct(), "*"];

    private static readonly Dictionary<string, string> Fixed = new()
    {
        ["declaration.created"] = "declaration.created",
        ["declaration.unit_withdrawn"] = "declaration.withdrawn",
        ["integrity_pacts.recorded"] = "pacts.recorded",
        ["assessment.created"] = "assessment.created",
        ["assessment.submit"] = "assessment.submitted",
        ["assessment.return"] = "assessment.returned",
        ["assessment.review"] = "assessment.reviewed",
        ["assessment.propose"] = "assessment.proposed",
        ["assessment.decide"] = "assessment.decided",
        ["evidence.uploaded"] = "evidence.added",
        ["evidence.linked"] = "evidence.added",
        ["evidence.version_added"] = "evidence.added",
        ["evidence.reviewed"] = "evidence.reviewed",
        ["designation.created"] = "designation.created",
        ["designation.revoked"] = "designation.revoked",
    };

    /// <summary>Audit actions that feed the debounced <c>answers.changed</c> instead of an event each.</summary>
    public static bool IsAnswerChange(string action) => action is "answers.written" or "answers.derived" or "answer.cleared";

    /// <summary>
    /// The event an audit action announces, or null. Any other <c>assessment.&lt;step&gt;</c> (the national evaluation
    /// stages) is announced as <c>assessment.&lt;step in the past tense&gt;</c>, so new workflow steps need no change here.
    /// </summary>
    public static string? For(string action)
    {
        if (Fixed.TryGetValue(action, out var type))
        {
            return type;
        }
        if (!action.StartsWith("assessment.", StringComparison.Ordinal))
        {
            return null;
        }
        var step = action["assessment.".Length..];
        return "assessment." + (step.EndsWith("ed", StringComparison.Ordinal) ? step
            : step.EndsWith('e') ? step + "d"
            : step.EndsWith('y') && step.Length > 1 && !"aeiou".Contains(step[^2]) ? step[..^1] + "ied"
            : step + "ed");
    }

    /// <summary>Whether a subscription's patterns take an event type.</summary>
    public static bool Matches(IEnumerable<string> patterns, string type) => patterns.Any(p =>
        p == "*" || p == type || (p.EndsWith(".*", StringComparison.Ordinal) && type.StartsWith(p[..^1], StringComparison.Ordinal)));
}
