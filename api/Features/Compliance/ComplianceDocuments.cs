using ZonaIntegritas.Api.Features.Accountability;
using ZonaIntegritas.Api.Features.Assessments;
using ZonaIntegritas.Api.Features.Designations;
using ZonaIntegritas.Api.Features.Evidence;
using ZonaIntegritas.Api.Features.Frameworks;
using ZonaIntegritas.Api.Features.PortalRb;
using ZonaIntegritas.Api.Features.Scoring;
using ZonaIntegritas.Api.Features.Workflow;
using static ZonaIntegritas.Api.Features.Compliance.ComplianceQueries;

namespace ZonaIntegritas.Api.Features.Compliance;

/// <summary>Building units' compliance documents from their rows: scores of every layer, evidence, designation, flags.</summary>
public static class ComplianceDocuments
{
    /// <summary>Every flag a document can carry, for the list filter.</summary>
    public static readonly string[] Flags =
        ["head_has_not_signed_pact", "pact_coverage_below_80_percent", "evidence_missing", "deadline_passed", PortalRbStanding.RefetchFlag, FollowUpsOverdueFlag];

    public const string FollowUpsOverdueFlag = "follow_ups_overdue";

    /// <summary>
    /// The documents of the rows: those already cached are reused; the rest come from the store (the current year's,
    /// without an assessment year) or are built together (a fixed number of queries), and are kept, since they are
    /// exactly what GET /units/{id}/compliance would send.
    /// </summary>
    internal static async Task<Dictionary<Guid, UnitEntry>> Reuse(DbConnection connection, ISqlDialect dialect, FrameworkCatalogue catalogue,
        ProposalOptions proposals, ComplianceStore store, ViewCache cache, IReadOnlyList<ComplianceRow> rows, int coverageYear, int? year, DateOnly today,
        long reading, JsonSerializerOptions json)
    {
        if (FromStore(year, coverageYear, today))
        {
            return await ReuseStored(connection, dialect, store, cache, rows.Select(r => r.UnitId).ToList(), coverageYear, today, reading);
        }
        var byUnit = rows.DistinctBy(r => r.UnitId).ToDictionary(r => r.UnitId);
        var found = await cache.GetOrBuildManyAsync(rows.Select(r => new UnitDocumentKey(r.UnitId, coverageYear, year)).ToList(), today, reading,
            entry => new UnitDocumentKey(entry.UnitId, coverageYear, year), entry => entry.Scope,
            async missing => (await BuildAll(connection, dialect, catalogue, proposals, missing.Select(k => byUnit[k.UnitId]).ToList(), coverageYear, today))
                .Select(d => UnitEntry.Of(d, json)));
        return found.ToDictionary(e => e.Key.UnitId, e => e.Value);
    }

    /// <summary>Whether the documents asked for are the stored ones (the current year, the latest assessment).</summary>
    internal static bool FromStore(int? year, int coverageYear, DateOnly today) => year is null && coverageYear == today.Year;

    /// <summary>
    /// The stored documents of the units, cached ones reused (<see cref="FromStore"/> only): for a page that needs nothing
    /// but the documents, without the raw rows <see cref="Reuse"/> takes.
    /// </summary>
    internal static async Task<Dictionary<Guid, UnitEntry>> ReuseStored(DbConnection connection, ISqlDialect dialect, ComplianceStore store, ViewCache cache,
        IReadOnlyList<Guid> unitIds, int coverageYear, DateOnly today, long reading)
    {
        var found = await cache.GetOrBuildManyAsync(unitIds.Select(id => new UnitDocumentKey(id, coverageYear, null)).ToList(), today, reading,
            entry => new UnitDocumentKey(entry.UnitId, coverageYear, null), entry => entry.Scope,
            async missing => (await store.GetManyAsync(connection, dialect, missing.Select(k => k.UnitId).ToList(), today)).Values.AsEnumerable());
        return found.ToDictionary(e => e.Key.UnitId, e => e.Value);
    }

    /// <summary>The documents for a set of unit rows, with a fixed number of queries whatever the number of units.</summary>
    internal static async Task<List<UnitCompliance>> BuildAll(DbConnection connection, ISqlDialect dialect, FrameworkCatalogue catalogue, ProposalOptions proposals,
        IReadOnlyList<ComplianceRow> rows, int coverageYear, DateOnly today, IDictionary<Guid, DateOnly>? horizons = null)
    {
        var assessmentIds = rows.Where(r => r.AssessmentId is not null).Select(r => r.AssessmentId!.Value).ToList();
        var unitIds = rows.Select(r => r.UnitId).ToList();
        var assessments = new Dictionary<Guid, Assessment>();
        var answers = new Dictionary<Guid, Dictionary<string, Dictionary<string, string>>>();
        ILookup<Guid, ItemEvidence> evidence = Array.Empty<ItemEvidence>().ToLookup(e => e.AssessmentId);
        if (assessmentIds.Count > 0)
        {
            const string assessmentSql = $"SELECT {AssessmentQueries.Columns} FROM assessments WHERE id IN @Ids";
            assessments = (await connection.QueryAsync<Assessment>(assessmentSql, new { Ids = dialect.IdList(assessmentIds) })).ToDictionary(a => a.Id);
            answers = await ReadAnswers(connection, dialect, assessmentIds);
            const string evidenceSql = "SELECT assessment_id, item_code, status, valid_until FROM evidence WHERE assessment_id IN @Ids AND withdrawn_at IS NULL";
            evidence = (await connection.QueryAsync<ItemEvidence>(evidenceSql, new { Ids = dialect.IdList(assessmentIds) })).ToLookup(e => e.AssessmentId);
        }
        const string designationSql = $"SELECT {DesignationRules.Columns} FROM designations WHERE unit_id IN @Ids";
        var designations = (await connection.QueryAsync<Designation>(designationSql, new { Ids = dialect.IdList(unitIds) })).ToLookup(d => d.UnitId);
        var accountability = await AccountabilityStandings.ForUnits(connection, dialect, rows.Select(r => (r.UnitId, r.AgencyId)).ToList(), coverageYear, today);
        var windows = await ProposalWindows.AllConfigured(connection);
        var portalRb = await PortalRbStandings.ForAssessments(connection, dialect,
            assessments.Values.Select(a => new PortalRbStandings.Subject(a.Id, a.UnitId, a.Year)).ToList());
        var national = await NationalEvaluation.ForAssessments(connection, dialect, assessments.Values, today);
        var prerequisites = await ProposalPrerequisites.ForAssessments(connection, dialect, assessments.Values);

        var documents = new List<UnitCompliance>(rows.Count);
        foreach (var row in rows)
        {
            var assessment = row.AssessmentId is { } id ? assessments.GetValueOrDefault(id) : null;
            var deadline = assessment is null ? (DateOnly?)null : ProposalWindows.Effective(windows, proposals, assessment.Year).ClosesOn;
            if (horizons is not null)
            {
                horizons[row.UnitId] = HiddenHorizon(today, deadline, assessment is null ? [] : evidence[assessment.Id], row.LastRevokedOn);
            }
            documents.Add(Build(catalogue, deadline, row, assessment, assessment is null ? null : answers.GetValueOrDefault(assessment.Id),
                assessment is null ? [] : evidence[assessment.Id], designations[row.UnitId].ToList(), accountability[row.UnitId],
                assessment is null ? null : portalRb.GetValueOrDefault(assessment.Id), coverageYear, today,
                assessment is null ? null : national[assessment.Id], assessment is null ? null : prerequisites[assessment.Id]));
        }
        return documents;
    }

    private static UnitCompliance Build(FrameworkCatalogue catalogue, DateOnly? proposalDeadline, ComplianceRow row, Assessment? assessment,
        Dictionary<string, Dictionary<string, string>>? answers, IEnumerable<ItemEvidence> evidenceRows, List<Designation> designations,
        AccountabilityStandings.UnitFigures accountability, PortalRbStanding? portalRb, int coverageYear, DateOnly today,
        NationalStanding? national, ProposalPrerequisitesStanding? prerequisites)
    {
        var coverage = PactCoverage.Shown(PactCoverage.Ratio(row.SignedEmployees, row.EmployeeCount));
        var pacts = new PactCoverage(row.SignedEmployees, row.EmployeeCount, coverage, row.HeadPacts > 0);
        var holdsWbk = designations.Any(d => d.Predikat == Predikat.Wbk && d.Active);

        AssessmentStanding? standing = null;
        EvidenceStanding? evidence = null;
        if (assessment is not null && catalogue.TryGet(assessment.FrameworkCode, out var framework))
        {
            var scores = Layers.All.ToDictionary(layer => layer, layer =>
            {
                var report = ScoreCalculator.Calculate(framework, answers?.GetValueOrDefault(layer) ?? NoAnswers, holdsWbk, layer);
                return new LayerStanding(report.Total, report.Eligibility[assessment.Target].Eligible);
            });
            standing = new AssessmentStanding(assessment.Id, assessment.Year, assessment.Target, assessment.Status, scores, assessment.Afirmasi);
            var accepted = evidenceRows.Where(e => EvidenceStatus.IsAccepted(e.Status, e.ValidUntil, today)).Select(e => e.ItemCode).ToHashSet();
            var scored = framework.Items.Count(i => i.Scored);
            var withAccepted = framework.Items.Count(i => i.Scored && accepted.Contains(i.Code));
            evidence = new EvidenceStanding(withAccepted, scored - withAccepted);
        }

        var active = designations.Where(d => d.Active).MaxBy(d => d.DecreeDate);
        var shown = active ?? designations.MaxBy(d => d.DecreeDate);
        var designation = shown is null ? null
            : new DesignationStanding(shown.Predikat, shown.DecreeNumber, shown.DecreeDate, shown.Active, shown.RevokedOn, shown.EligibleAgainOn);

        var flags = new List<string>();
        if (row.DeclarationId is not null && !pacts.HeadSigned) flags.Add("head_has_not_signed_pact");
        if (coverage < PactCoverage.Minimum) flags.Add("pact_coverage_below_80_percent");
        if (evidence is { ItemsWithoutAcceptedEvidence: > 0 }) flags.Add("evidence_missing");
        if (assessment is not null
            && assessment.Status is AssessmentStatus.Draft or AssessmentStatus.Returned or AssessmentStatus.SelfSubmitted or AssessmentStatus.TpiReviewed
            && today > proposalDeadline)
        {
            flags.Add("deadline_passed");
        }
        if (national is { OverdueFollowUps: > 0 }) flags.Add(FollowUpsOverdueFlag);
        flags = WithRefetchFlag(flags, portalRb);

        return new UnitCompliance(row.UnitId, row.UnitCode, row.AgencyId, coverageYear, row.DeclarationId is not null,
            row.DeclarationId is { } declarationId ? new DeclarationSummary(declarationId, row.DeclaredOn!.Value) : null,
            pacts, standing, evidence, designation, row.Stage, flags, accountability.Absorption, accountability.Performance, assessment is null ? null : portalRb ?? PortalRbStanding.Of(null, null),
            national, prerequisites);
    }

    /// <summary>The flags with portalrb_refetch_needed in its place (before follow_ups_overdue) when the standing asks for a refetch.</summary>
    internal static List<string> WithRefetchFlag(IEnumerable<string> flags, PortalRbStanding? portalRb)
    {
        var result = flags.Where(f => f != PortalRbStanding.RefetchFlag).ToList();
        if (portalRb is { AnswersChangedSince: true })
        {
            var before = result.IndexOf(FollowUpsOverdueFlag);
            result.Insert(before < 0 ? result.Count : before, PortalRbStanding.RefetchFlag);
        }
        return result;
    }

    /// <summary>
    /// The first day on which a date the document depends on but does not show may change it: the day after the proposal
    /// deadline (deadline_passed), the day after an evidence item's validity ends (accepted → expired), the end of the
    /// revocation ban (stage revoked). The dates the document shows are the store's to add (ComplianceStore).
    /// </summary>
    private static DateOnly HiddenHorizon(DateOnly today, DateOnly? deadline, IEnumerable<ItemEvidence> evidence, DateOnly? lastRevokedOn)
    {
        var horizon = DateOnly.MaxValue;
        void Consider(DateOnly changesOn) => horizon = changesOn > today && changesOn < horizon ? changesOn : horizon;
        if (deadline is { } closes) Consider(closes.AddDays(1));
        foreach (var item in evidence)
        {
            if (item.ValidUntil is { } until) Consider(until.AddDays(1));
        }
        if (lastRevokedOn is { } revoked)
        {
            // AddYears moves 29 February to the 28th; the day after covers both readings of the ban's end.
            Consider(revoked.AddYears(DesignationRules.RevocationBanYears));
            Consider(revoked.AddYears(DesignationRules.RevocationBanYears).AddDays(1));
        }
        return horizon;
    }

    private static readonly Dictionary<string, string> NoAnswers = [];

    /// <summary>
    /// Every layer's answers of the assessments: assessment, then layer, then item code to value. The database joins each
    /// layer's answers into one text (<see cref="ISqlDialect.AnswersByLayer"/>), so an assessment is three rows instead of
    /// ~380, and equal codes and values share one string: read row by row, the strings made for every answer were most
    /// of the cost of building documents in bulk (the refresher after an all-units write, the load generator).
    /// </summary>
    private static async Task<Dictionary<Guid, Dictionary<string, Dictionary<string, string>>>> ReadAnswers(
        DbConnection connection, ISqlDialect dialect, IReadOnlyCollection<Guid> assessmentIds)
    {
        var answers = new Dictionary<Guid, Dictionary<string, Dictionary<string, string>>>(assessmentIds.Count);
        var shared = new Dictionary<string, string>(StringComparer.Ordinal).GetAlternateLookup<ReadOnlySpan<char>>();
        await using var reader = await connection.ExecuteReaderAsync(dialect.AnswersByLayer, new { Ids = dialect.IdList(assessmentIds) });
        while (await reader.ReadAsync())
        {
            var id = reader.GetValue(0) is Guid guid ? guid : Guid.Parse(reader.GetString(0));
            if (!answers.TryGetValue(id, out var layers))
            {
                layers = answers[id] = new Dictionary<string, Dictionary<string, string>>(3, StringComparer.Ordinal);
            }
            layers[Shared(shared, reader.GetString(1))] = SplitAnswers(reader.GetString(2), shared);
        }
        return answers;
    }

    /// <summary>One layer's joined text (see <see cref="ISqlDialect.AnswersByLayer"/>) as item code to value.</summary>
    private static Dictionary<string, string> SplitAnswers(string joined, Dictionary<string, string>.AlternateLookup<ReadOnlySpan<char>> shared)
    {
        var answers = new Dictionary<string, string>(140, StringComparer.Ordinal);
        var text = joined.AsSpan();
        foreach (var range in text.Split(ISqlDialect.AnswerSeparator))
        {
            var answer = text[range];
            var split = answer.IndexOf(ISqlDialect.AnswerValueSeparator);
            answers[Shared(shared, answer[..split])] = Shared(shared, answer[(split + 1)..]);
        }
        return answers;
    }

    private static string Shared(Dictionary<string, string>.AlternateLookup<ReadOnlySpan<char>> shared, ReadOnlySpan<char> text)
    {
        if (!shared.TryGetValue(text, out var existing))
        {
            existing = text.ToString();
            shared.Dictionary[existing] = existing;
        }
        return existing;
    }

    internal sealed class ItemEvidence
    {
        public Guid AssessmentId { get; init; }
        public string ItemCode { get; init; } = "";
        public string Status { get; init; } = "";
        public DateOnly? ValidUntil { get; init; }
    }

}
