using System.Data.Common;
using Dapper;
using ZonaIntegritas.Api.Features.Assessments;
using ZonaIntegritas.Api.Features.PortalRb;

namespace ZonaIntegritas.Api.Features.Workbook;

/// <summary>What the exported workbook reads: the unit, both workbook layers' answers, evidence per item and the layer dates.</summary>
public static class WorkbookQueries
{
    public static async Task<WorkbookData> Load(DbConnection connection, Assessment assessment, Frameworks.SoalMap? map, EvidenceLinks links, string origin, DateTimeOffset now)
    {
        const string unitSql = """
            SELECT u.code AS unit_code, u.name AS unit_name, g.name AS agency_name
            FROM units u JOIN agencies g ON g.id = u.agency_id
            WHERE u.id = @UnitId
            """;
        var unit = await connection.QuerySingleAsync<UnitRow>(unitSql, new { assessment.UnitId });
        const string answersSql = "SELECT layer, item_code, value, note, updated_at FROM answers WHERE assessment_id = @Id AND layer IN ('self', 'tpi')";
        var answers = (await connection.QueryAsync<AnswerRow>(answersSql, new { assessment.Id })).AsList();
        var layers = answers.GroupBy(a => a.Layer).ToDictionary(
            g => g.Key,
            g => (IReadOnlyDictionary<string, LayerAnswer>)g.ToDictionary(a => a.ItemCode, a => new LayerAnswer(a.Value, a.Note), StringComparer.Ordinal));

        const string evidenceSql = """
            SELECT e.item_code, e.kind, e.title, e.url, v.file_name
            FROM evidence e
            LEFT JOIN evidence_versions v ON v.evidence_id = e.id AND v.version = e.current_version
            WHERE e.assessment_id = @Id AND e.withdrawn_at IS NULL
            ORDER BY e.item_code, e.created_at
            """;
        var evidence = (await connection.QueryAsync<EvidenceRow>(evidenceSql, new { assessment.Id })).AsList();
        // PortalRB's evaluators open the signed item page; years without a PortalRB list get the file names and links themselves.
        var asked = map?.Soal.Select(s => s.ItemCode).ToHashSet(StringComparer.Ordinal) ?? [];
        var expires = links.ExpiryFromNow();
        var column = evidence.GroupBy(e => e.ItemCode).ToDictionary(
            g => g.Key,
            g => asked.Contains(g.Key)
                ? links.ItemPage(origin, assessment.Id, g.Key, expires)
                : string.Join("; ", g.Select(e => e.FileName ?? e.Title ?? e.Url)),
            StringComparer.Ordinal);

        const string transitionsSql = """
            SELECT to_status, MAX(transitioned_at) AS at FROM assessment_transitions WHERE assessment_id = @Id GROUP BY to_status
            """;
        var transitions = (await connection.QueryAsync<TransitionRow>(transitionsSql, new { assessment.Id })).ToDictionary(t => t.ToStatus, t => t.At);
        DateTimeOffset? LastChange(string layer) => answers.Where(a => a.Layer == layer).Select(a => (DateTimeOffset?)a.UpdatedAt).Max();
        var dates = new List<(string, DateTimeOffset?)>
        {
            ("Jawaban unit terakhir diubah", LastChange(Layers.Self)),
            ("Diajukan unit (self_submitted)", transitions.GetValueOrDefault("self_submitted")),
            ("Jawaban TPI terakhir diubah", LastChange(Layers.Tpi)),
            ("Direviu TPI (tpi_reviewed)", transitions.GetValueOrDefault("tpi_reviewed")),
        };
        var holdsWbk = await Designations.DesignationRules.HoldsActiveWbk(connection, assessment.UnitId);
        return new WorkbookData(assessment, unit.UnitCode, unit.UnitName, unit.AgencyName, layers, column, dates, holdsWbk, now);
    }

    private sealed class UnitRow
    {
        public string UnitCode { get; init; } = "";
        public string UnitName { get; init; } = "";
        public string AgencyName { get; init; } = "";
    }

    private sealed class AnswerRow
    {
        public string Layer { get; init; } = "";
        public string ItemCode { get; init; } = "";
        public string Value { get; init; } = "";
        public string? Note { get; init; }
        public DateTimeOffset UpdatedAt { get; init; }
    }

    private sealed class EvidenceRow
    {
        public string ItemCode { get; init; } = "";
        public string Kind { get; init; } = "";
        public string? Title { get; init; }
        public string? Url { get; init; }
        public string? FileName { get; init; }
    }

    private sealed class TransitionRow
    {
        public string ToStatus { get; init; } = "";
        public DateTimeOffset? At { get; init; }
    }
}
