namespace ZonaIntegritas.Api.Features.Declarations;

/// <summary>Reading a declaration whole: its ceremony, units (with withdrawals) and witnesses.</summary>
public static class DeclarationQueries
{
    internal static async Task<Declaration?> Load(DbConnection connection, Guid id)
    {
        const string sql = """
            SELECT id, agency_id, declared_on, place, publication_url, created_at, created_by FROM declarations WHERE id = @Id;
            SELECT du.unit_id, u.code AS unit_code, u.name AS unit_name, du.head_name, du.head_nip, du.head_position,
                   du.withdrawn_at, du.withdrawn_by, du.withdrawal_reason
            FROM declaration_units du JOIN units u ON u.id = du.unit_id
            WHERE du.declaration_id = @Id
            ORDER BY du.ordinal;
            SELECT name, position, institution FROM declaration_witnesses WHERE declaration_id = @Id ORDER BY ordinal;
            """;
        await using var results = await connection.QueryMultipleAsync(sql, new { Id = id });
        var header = await results.ReadSingleOrDefaultAsync<DeclarationRow>();
        if (header is null)
        {
            return null;
        }
        var units = (await results.ReadAsync<DeclaredUnitRow>()).Select(u => new DeclaredUnit(
            u.UnitId, u.UnitCode, u.UnitName, new UnitHead(u.HeadName, u.HeadNip, u.HeadPosition),
            u.WithdrawnAt is null, u.WithdrawnAt, u.WithdrawnBy, u.WithdrawalReason)).ToList();
        var witnesses = (await results.ReadAsync<WitnessRow>()).Select(w => new Witness(w.Name, w.Position, w.Institution)).ToList();
        return new Declaration(header.Id, header.AgencyId, header.DeclaredOn, header.Place, header.PublicationUrl,
            header.CreatedAt, header.CreatedBy, units, witnesses);
    }

    private sealed class DeclarationRow
    {
        public Guid Id { get; init; }
        public Guid AgencyId { get; init; }
        public DateOnly DeclaredOn { get; init; }
        public string Place { get; init; } = "";
        public string? PublicationUrl { get; init; }
        public DateTimeOffset CreatedAt { get; init; }
        public Guid CreatedBy { get; init; }
    }

    private sealed class DeclaredUnitRow
    {
        public Guid UnitId { get; init; }
        public string UnitCode { get; init; } = "";
        public string UnitName { get; init; } = "";
        public string HeadName { get; init; } = "";
        public string HeadNip { get; init; } = "";
        public string HeadPosition { get; init; } = "";
        public DateTimeOffset? WithdrawnAt { get; init; }
        public Guid? WithdrawnBy { get; init; }
        public string? WithdrawalReason { get; init; }
    }

    private sealed class WitnessRow
    {
        public string Name { get; init; } = "";
        public string Position { get; init; } = "";
        public string Institution { get; init; } = "";
    }
}
