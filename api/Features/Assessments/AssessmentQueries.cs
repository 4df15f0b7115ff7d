namespace ZonaIntegritas.Api.Features.Assessments;

/// <summary>Lookups of assessments that other features share.</summary>
public static class AssessmentQueries
{
    internal const string Columns = "id, unit_id, agency_id, year, target, framework_code, status, afirmasi, created_at, created_by, updated_at";

    /// <summary>The assessment, or null when it does not exist or lies outside the caller's scope.</summary>
    internal static async Task<Assessment?> FindVisible(DbConnection connection, Caller caller, Guid id, DbTransaction? transaction = null)
    {
        const string sql = $"SELECT {Columns} FROM assessments WHERE id = @Id";
        var assessment = await connection.QuerySingleOrDefaultAsync<Assessment>(sql, new { Id = id }, transaction);
        return assessment is not null && caller.CanSeeUnit(assessment.UnitId, assessment.AgencyId) ? assessment : null;
    }
}
