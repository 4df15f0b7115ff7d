using System.Data.Common;
using System.Globalization;
using Dapper;

namespace ZonaIntegritas.Api.Features.Workflow;

/// <summary>
/// Names one state of an assessment's TPI layer: how many changes it has had and when the last was made. The LKE workbook
/// export is meant to report the stamp of the layer it was built from, so that a follow-up "TPI-reviewed LKE workbook" is
/// met by exactly that state (and refused once the layer has changed since).
/// </summary>
public static class TpiLayerStamps
{
    public static async Task<string> Of(DbConnection connection, Guid assessmentId, DbTransaction? transaction = null)
    {
        const string sql = "SELECT COUNT(*) AS changes, MAX(changed_at) AS last_changed_at FROM answer_history WHERE assessment_id = @Id AND layer = 'tpi'";
        var row = await connection.QuerySingleAsync<Row>(sql, new { Id = assessmentId }, transaction);
        return row.LastChangedAt is { } last
            ? $"tpi:{row.Changes.ToString(CultureInfo.InvariantCulture)}:{last.UtcDateTime.ToString("yyyyMMdd'T'HHmmssfffffff'Z'", CultureInfo.InvariantCulture)}"
            : "tpi:0";
    }

    private sealed class Row
    {
        public int Changes { get; init; }
        public DateTimeOffset? LastChangedAt { get; init; }
    }
}
