namespace ZonaIntegritas.Api.Features.Designations;

/// <summary>
/// The predikat rules. A WBBM replaces the unit's WBK as its active predikat (the WBK is marked superseded). Revoking a
/// WBBM does not bring the WBK back: the unit then holds no active predikat and must earn WBK again after the ban.
/// </summary>
public static class DesignationRules
{
    public const int RevocationBanYears = 2;
    internal const string Columns = """
        id, unit_id, agency_id, predikat, decree_number, decree_date, assessment_id, created_at, superseded_by,
        revoked_on, revocation_reason, revocation_decree_number
        """;

    public static async Task<bool> HoldsActiveWbk(DbConnection connection, Guid unitId, DbTransaction? transaction = null)
    {
        const string sql = """
            SELECT COUNT(*) FROM designations
            WHERE unit_id = @UnitId AND predikat = 'WBK' AND revoked_on IS NULL AND superseded_by IS NULL
            """;
        return await connection.ExecuteScalarAsync<int>(sql, new { UnitId = unitId }, transaction) > 0;
    }

    /// <summary>The latest revocation of any of the unit's designations, if any.</summary>
    public static Task<DateOnly?> LastRevocation(DbConnection connection, Guid unitId, DbTransaction? transaction = null)
    {
        const string sql = "SELECT MAX(revoked_on) FROM designations WHERE unit_id = @UnitId AND revoked_on IS NOT NULL";
        return connection.ExecuteScalarAsync<DateOnly?>(sql, new { UnitId = unitId }, transaction);
    }
}
