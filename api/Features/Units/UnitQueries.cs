namespace ZonaIntegritas.Api.Features.Units;

/// <summary>Lookups of units that other features share.</summary>
public static class UnitQueries
{
    internal const string Columns = "id, agency_id, code, name, parent_unit_id, kind, provides_public_service, employee_count, created_at, updated_at";

    internal static Task<WorkUnit?> Find(DbConnection connection, Guid id, DbTransaction? transaction = null)
    {
        const string sql = $"SELECT {Columns} FROM units WHERE id = @Id";
        return connection.QuerySingleOrDefaultAsync<WorkUnit>(sql, new { Id = id }, transaction);
    }
}
