using System.Diagnostics;
using Microsoft.Data.Sqlite;

namespace ZonaIntegritas.Benchmarks;

/// <summary>
/// One agency of N units with a 2026 budget each, eight months of realisation (financial and physical) and the agency's
/// milestones (August 60%, September 70%), generated inside SQLite. Absorption spreads from about 20% to 95% with
/// repeated values, so the ranking has ties to break. Agency id 00000000-0000-4000-9000-000000000000; unit i is
/// 00000000-0000-4000-8000-{i:x12}.
/// </summary>
public static class AbsorptionData
{
    public static async Task GenerateAsync(string databaseFile, int units)
    {
        var watch = Stopwatch.StartNew();
        await using var connection = new SqliteConnection($"Data Source={databaseFile}");
        await connection.OpenAsync();
        await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync();
        const string sql = """
            CREATE TEMP TABLE n (i INTEGER PRIMARY KEY);
            WITH RECURSIVE c(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM c WHERE i < $units - 1) INSERT INTO n SELECT i FROM c;
            CREATE TEMP TABLE m (month INTEGER PRIMARY KEY);
            WITH RECURSIVE c(month) AS (SELECT 1 UNION ALL SELECT month + 1 FROM c WHERE month < 8) INSERT INTO m SELECT month FROM c;
            INSERT INTO agencies (id, code, name, kind, created_at, updated_at)
            VALUES ('00000000-0000-4000-9000-000000000000', 'KEMSOS', 'Kementerian Uji Serapan', 'kementerian', '2026-01-01T00:00:00.0000000Z', '2026-01-01T00:00:00.0000000Z');
            INSERT INTO units (id, agency_id, code, name, parent_unit_id, kind, provides_public_service, employee_count, created_at, updated_at)
            SELECT printf('00000000-0000-4000-8000-%012x', i), '00000000-0000-4000-9000-000000000000', printf('U%07d', i),
                   printf('Dinas Sosial %d', i), NULL, 'dinas', 1, 40, '2026-01-01T00:00:00.0000000Z', '2026-01-01T00:00:00.0000000Z'
            FROM n;
            -- Ceilings of 10 to 60 billion rupiah, in sen.
            INSERT INTO budgets (unit_id, year, ceiling, updated_at, updated_by)
            SELECT printf('00000000-0000-4000-8000-%012x', i), 2026, (10000000000 + (i % 50) * 1000000000) * 100,
                   '2026-01-02T00:00:00.0000000Z', '00000000-0000-0000-0000-000000000000'
            FROM n;
            -- Each month spends (2.5% to 11.9%) of the ceiling; i % 97 repeats, so many units tie.
            INSERT INTO budget_realisations (unit_id, year, month, amount, physical_progress_percent, recorded_at, recorded_by)
            SELECT printf('00000000-0000-4000-8000-%012x', n.i), 2026, m.month,
                   (10000000000 + (n.i % 50) * 1000000000) * 100 * (25 + (n.i % 97)) / 1000,
                   printf('%d.%02d', m.month * 10 + n.i % 10, n.i % 100),
                   printf('2026-%02d-28T00:00:00.0000000Z', m.month), '00000000-0000-0000-0000-000000000000'
            FROM n CROSS JOIN m;
            INSERT INTO absorption_milestones (agency_id, year, month, min_percent, updated_at, updated_by)
            VALUES ('00000000-0000-4000-9000-000000000000', 2026, 8, '60', '2026-01-02T00:00:00.0000000Z', '00000000-0000-0000-0000-000000000000'),
                   ('00000000-0000-4000-9000-000000000000', 2026, 9, '70', '2026-01-02T00:00:00.0000000Z', '00000000-0000-0000-0000-000000000000');
            """;
        await using (var command = connection.CreateCommand())
        {
            command.Transaction = transaction;
            command.CommandText = sql;
            command.Parameters.AddWithValue("$units", units);
            await command.ExecuteNonQueryAsync();
        }
        // No ANALYZE, as in ComplianceData: the service runs without statistics, so the load runs against what it would meet.
        await transaction.CommitAsync();
        Console.WriteLine($"Generated one agency of {units} units with budgets and 8 months of realisation in {watch.Elapsed.TotalSeconds:F1} s.");
    }
}
