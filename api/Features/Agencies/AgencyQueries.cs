namespace ZonaIntegritas.Api.Features.Agencies;

/// <summary>Lookups of agencies that other features share.</summary>
public static class AgencyQueries
{
    internal static Task<Agency?> Find(DbConnection connection, Guid id, DbTransaction? transaction = null)
    {
        const string sql = "SELECT id, code, name, kind, created_at, updated_at FROM agencies WHERE id = @Id";
        return connection.QuerySingleOrDefaultAsync<Agency>(sql, new { Id = id }, transaction);
    }
}
