using System.Data.Common;
using Dapper;
using ZonaIntegritas.Api.Data;
using ZonaIntegritas.Api.Features.Agencies;
using ZonaIntegritas.Api.Features.Assessments;

namespace ZonaIntegritas.Api.Features.Workflow;

/// <summary>A unit already proposed, as a quota refusal names it.</summary>
public sealed record ProposedUnitRef(Guid UnitId, string UnitCode, Guid AssessmentId, string Status);

/// <summary>The agency's quota for the assessment's year and target, and how much of it is used.</summary>
public sealed record QuotaStanding(int? Limit, int Proposed, bool Reached);

/// <summary>
/// What a proposal of the assessment needs beyond its own scores: the agency's BPK opinion for the fiscal year before the
/// assessment year (<c>met</c> only for WTP) and room in the agency's quota. Shown in compliance documents.
/// </summary>
public sealed record ProposalPrerequisitesStanding(int AuditOpinionYear, string? AuditOpinion, bool AuditOpinionMet, QuotaStanding? Quota);

/// <summary>The proposal prerequisites of the national process (KemenPANRB): the WTP opinion and the yearly quota.</summary>
public static class ProposalPrerequisites
{
    /// <summary>The 422 a proposal gets when a prerequisite fails, or null.</summary>
    public static async Task<IResult?> Refusal(DbConnection connection, DbTransaction transaction, Assessment assessment)
    {
        var fiscalYear = assessment.Year - 1;
        var opinion = await AuditOpinions.Find(connection, assessment.AgencyId, fiscalYear, transaction);
        if (opinion is null)
        {
            return NationalRules.Refuse(NationalRules.AuditOpinionMissing,
                $"The agency has no audit opinion (opini BPK) recorded for fiscal year {fiscalYear}; a proposal for {assessment.Year} needs a WTP opinion "
                + $"(PUT /api/v1/agencies/{assessment.AgencyId}/audit-opinions/{fiscalYear}).",
                new() { ["auditOpinionYear"] = fiscalYear });
        }
        if (opinion.Opinion != AuditOpinions.RequiredForProposal)
        {
            return NationalRules.Refuse(NationalRules.AuditOpinionNotWtp,
                $"The agency's audit opinion for fiscal year {fiscalYear} is {opinion.Opinion} ({opinion.ReportNumber}); only WTP allows proposals.",
                new() { ["auditOpinionYear"] = fiscalYear, ["auditOpinion"] = opinion.Opinion });
        }
        if (await ProposalQuotas.Find(connection, assessment.AgencyId, assessment.Year, transaction) is not { } quota || quota.For(assessment.Target) is not { } limit)
        {
            return null;
        }
        // Touching the quota row holds its lock to the commit, so that concurrent proposals of the agency count one after another.
        const string lockQuota = "UPDATE agency_proposal_quotas SET wbk = wbk WHERE agency_id = @AgencyId AND year = @Year";
        await connection.ExecuteAsync(lockQuota, new { assessment.AgencyId, assessment.Year }, transaction);
        var proposed = await Proposed(connection, assessment.AgencyId, assessment.Year, assessment.Target, transaction);
        return proposed.Count < limit ? null
            : NationalRules.Refuse(NationalRules.ProposalQuotaReached,
                $"The agency's {assessment.Target} quota for {assessment.Year} is {limit}; {proposed.Count} unit(s) already proposed: "
                + $"{string.Join(", ", proposed.Select(p => p.UnitCode))}.",
                new() { ["quota"] = limit, ["target"] = assessment.Target, ["proposedUnits"] = proposed });
    }

    /// <summary>The agency's units proposed for the target in the year, at any national stage (decided ones too).</summary>
    public static async Task<List<ProposedUnitRef>> Proposed(DbConnection connection, Guid agencyId, int year, string target, DbTransaction? transaction = null)
    {
        const string sql = """
            SELECT a.unit_id, u.code AS unit_code, a.id AS assessment_id, a.status
            FROM assessments a JOIN units u ON u.id = a.unit_id
            WHERE a.agency_id = @AgencyId AND a.year = @Year AND a.target = @Target AND a.status IN @Statuses
            ORDER BY u.code
            """;
        return (await connection.QueryAsync<ProposedUnitRef>(sql, new { AgencyId = agencyId, Year = year, Target = target, Statuses = AssessmentStatus.National }, transaction)).AsList();
    }

    /// <summary>The prerequisites of many assessments at once, for compliance documents (three queries whatever their number).</summary>
    public static async Task<Dictionary<Guid, ProposalPrerequisitesStanding>> ForAssessments(DbConnection connection, ISqlDialect dialect, IReadOnlyCollection<Assessment> assessments)
    {
        var agencyIds = assessments.Select(a => a.AgencyId).Distinct().ToList();
        var opinions = await AuditOpinions.ForAgencies(connection, dialect, agencyIds);
        var quotas = await ProposalQuotas.ForAgencies(connection, dialect, agencyIds);
        var counts = new Dictionary<(Guid, int, string), int>();
        if (quotas.Count > 0)
        {
            const string sql = """
                SELECT agency_id, year, target, COUNT(*) AS proposed FROM assessments
                WHERE agency_id IN @Ids AND status IN @Statuses GROUP BY agency_id, year, target
                """;
            counts = (await connection.QueryAsync<ProposedCount>(sql, new { Ids = dialect.IdList(quotas.Keys.Select(k => k.AgencyId).Distinct()), Statuses = AssessmentStatus.National }))
                .ToDictionary(c => (c.AgencyId, c.Year, c.Target), c => c.Proposed);
        }
        return assessments.ToDictionary(a => a.Id, a =>
        {
            var opinion = opinions.GetValueOrDefault((a.AgencyId, a.Year - 1));
            var limit = quotas.GetValueOrDefault((a.AgencyId, a.Year))?.For(a.Target);
            var proposed = counts.GetValueOrDefault((a.AgencyId, a.Year, a.Target));
            var quota = quotas.ContainsKey((a.AgencyId, a.Year)) ? new QuotaStanding(limit, proposed, limit is { } l && proposed >= l) : null;
            return new ProposalPrerequisitesStanding(a.Year - 1, opinion?.Opinion, opinion?.Opinion == AuditOpinions.RequiredForProposal, quota);
        });
    }

    private sealed class ProposedCount
    {
        public Guid AgencyId { get; init; }
        public int Year { get; init; }
        public string Target { get; init; } = "";
        public int Proposed { get; init; }
    }
}
