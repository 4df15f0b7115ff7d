using System.Diagnostics;
using Microsoft.Data.Sqlite;

namespace ZonaIntegritas.Benchmarks;

/// <summary>
/// Fills a migrated SQLite database with N units inside SQLite itself (set-based INSERT … SELECT over a counter), so
/// 100k units with their pacts, evidence and three answered layers take seconds rather than hours of round trips.
/// Ids are deterministic: unit i is 00000000-0000-4000-8000-{i:x12}, agency j is 00000000-0000-4000-9000-{j:x12}.
/// </summary>
public static class ComplianceData
{
    public const int Agencies = 10;

    public static async Task GenerateAsync(string databaseFile, int units)
    {
        var watch = Stopwatch.StartNew();
        await using var connection = new SqliteConnection($"Data Source={databaseFile}");
        await connection.OpenAsync();
        // A bulk load into a file nobody else has open: no journal (a WAL would write every page twice, once more at the
        // checkpoint), a 1 GB page cache so the answers index stays in memory. WAL is switched back on at the end.
        // Foreign keys are off for the load (SQLitePCL's e_sqlite3 turns them on by default): every answer row cost two
        // more index seeks, its assessment and its catalogue item, nearly doubling the largest step. The rows are
        // consistent by construction; small loads check that at the end (CheckForeignKeysAsync).
        await Execute(connection, "PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF; PRAGMA cache_size = -1000000; PRAGMA locking_mode = EXCLUSIVE; PRAGMA temp_store = MEMORY; PRAGMA foreign_keys = OFF;");
        await using var transaction = await connection.BeginTransactionAsync();
        var steps = new (string What, string Sql)[]
        {
            ("counter", """
                CREATE TEMP TABLE n (i INTEGER PRIMARY KEY);
                WITH RECURSIVE c(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM c WHERE i < $units - 1) INSERT INTO n SELECT i FROM c;
                ALTER TABLE n ADD COLUMN assessment_id TEXT;
                UPDATE n SET assessment_id = printf('00000000-0000-4000-c000-%012x', i);
                CREATE TEMP TABLE k (i INTEGER PRIMARY KEY);
                WITH RECURSIVE c(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM c WHERE i < 19) INSERT INTO k SELECT i FROM c;
                CREATE TEMP TABLE scored AS SELECT item_code, ROW_NUMBER() OVER (ORDER BY ordinal) - 1 AS r FROM framework_items WHERE scored = 1;
                -- Answerable items in primary-key order with their value decided once, so every answer row lands at the end of the B-tree.
                CREATE TEMP TABLE answerable AS
                SELECT framework_code, item_code,
                       CASE answer_type WHEN 'YA_TIDAK' THEN 'Ya' WHEN 'NILAI_0_4' THEN '3.8' WHEN 'JUMLAH' THEN '10' ELSE 'A' END AS value
                FROM framework_items WHERE answer_type <> 'PERSEN' ORDER BY item_code;
                """),
            ("agencies", """
                INSERT INTO agencies (id, code, name, kind, created_at, updated_at)
                SELECT printf('00000000-0000-4000-9000-%012x', i), printf('AG%02d', i), printf('Instansi %d', i), 'kementerian', '2026-01-01T00:00:00.0000000Z', '2026-01-01T00:00:00.0000000Z'
                FROM n WHERE i < $agencies;
                """),
            ("units", """
                INSERT INTO units (id, agency_id, code, name, parent_unit_id, kind, provides_public_service, employee_count, created_at, updated_at)
                SELECT printf('00000000-0000-4000-8000-%012x', i), printf('00000000-0000-4000-9000-%012x', i % $agencies), printf('U%07d', i),
                       printf('Unit kerja %d', i), NULL, 'balai', 1, 12, '2026-01-01T00:00:00.0000000Z', '2026-01-01T00:00:00.0000000Z'
                FROM n;
                """),
            ("declarations", """
                INSERT INTO declarations (id, agency_id, declared_on, place, publication_url, created_at, created_by)
                SELECT printf('00000000-0000-4000-a000-%012x', i), printf('00000000-0000-4000-9000-%012x', i % $agencies), '2026-02-01', 'Jakarta', NULL,
                       '2026-02-01T00:00:00.0000000Z', '00000000-0000-0000-0000-000000000000'
                FROM n WHERE i % 10 < 8;
                INSERT INTO declaration_units (declaration_id, unit_id, ordinal, head_name, head_nip, head_position, withdrawn_at, withdrawn_by, withdrawal_reason)
                SELECT printf('00000000-0000-4000-a000-%012x', i), printf('00000000-0000-4000-8000-%012x', i), 0, 'Kepala',
                       printf('1980%02d%02d2005%02d1%03d', 1 + i % 12, 1 + i % 28, 1 + i % 12, 1 + i % 999), 'Kepala', NULL, NULL, NULL
                FROM n WHERE i % 10 < 8;
                """),
            ("pacts", """
                INSERT INTO integrity_pacts (id, unit_id, nip, name, position, role, occasion, signed_on, signed_year, document_url, created_at, created_by)
                SELECT printf('%08x-0000-4000-b000-%012x', k.i, n.i), printf('00000000-0000-4000-8000-%012x', n.i),
                       printf('19%02d%02d%02d20%02d%02d1%03d', 70 + k.i, 1 + n.i % 12, 1 + n.i % 28, 10 + k.i % 10, 1 + n.i % 12, 1 + n.i % 999),
                       'Pegawai', 'Analis', 'pegawai', 'tahunan', '2026-01-10', 2026, NULL, '2026-01-10T00:00:00.0000000Z', '00000000-0000-0000-0000-000000000000'
                FROM n JOIN k ON k.i < 10;
                """),
            ("assessments", """
                INSERT INTO assessments (id, unit_id, agency_id, year, target, framework_code, status, created_at, created_by, updated_at)
                SELECT printf('00000000-0000-4000-c000-%012x', i), printf('00000000-0000-4000-8000-%012x', i), printf('00000000-0000-4000-9000-%012x', i % $agencies),
                       2026, 'WBK', 'PERMENPANRB-90-2021', CASE i % 4 WHEN 0 THEN 'draft' WHEN 1 THEN 'self_submitted' WHEN 2 THEN 'tpi_reviewed' ELSE 'proposed' END,
                       '2026-03-01T00:00:00.0000000Z', '00000000-0000-0000-0000-000000000000', '2026-03-01T00:00:00.0000000Z'
                FROM n;
                """),
            ("answers (three layers)", """
                INSERT INTO answers (assessment_id, layer, framework_code, item_code, value, note, updated_at, updated_by)
                SELECT n.assessment_id, l.layer, f.framework_code, f.item_code, f.value,
                       NULL, '2026-03-02T00:00:00.0000000Z', '00000000-0000-0000-0000-000000000000'
                FROM n
                CROSS JOIN (SELECT 'self' AS layer UNION ALL SELECT 'tpi' UNION ALL SELECT 'tpn') l
                CROSS JOIN answerable f; -- CROSS JOIN keeps this loop order in SQLite: n, then layer, then item, i.e. key order.
                """),
            ("evidence", """
                INSERT INTO evidence (id, assessment_id, item_code, kind, url, title, description, captured_at, current_version, status, review_comment,
                                      reviewed_at, reviewed_by, valid_until, withdrawn_at, withdrawn_by, created_at, created_by)
                SELECT printf('%08x-0000-4000-d000-%012x', k.i, n.i), printf('00000000-0000-4000-c000-%012x', n.i),
                       s.item_code,
                       'link', 'https://drive.example.go.id/doc.pdf', 'Dokumen', NULL, NULL, 1,
                       CASE k.i % 3 WHEN 0 THEN 'accepted' WHEN 1 THEN 'submitted' ELSE 'rejected' END,
                       NULL, NULL, NULL, NULL, NULL, NULL, '2026-03-03T00:00:00.0000000Z', '00000000-0000-0000-0000-000000000000'
                FROM n CROSS JOIN k JOIN scored s ON s.r = k.i * 5;
                """),
            ("designations", """
                INSERT INTO designations (id, unit_id, agency_id, predikat, decree_number, decree_date, assessment_id, created_at, created_by,
                                          superseded_by, revoked_on, revocation_reason, revocation_decree_number, revoked_at, revoked_by)
                SELECT printf('00000000-0000-4000-e000-%012x', i), printf('00000000-0000-4000-8000-%012x', i), printf('00000000-0000-4000-9000-%012x', i % $agencies),
                       'WBK', printf('SK %d/2025', i), '2025-12-01', printf('00000000-0000-4000-c000-%012x', i), '2025-12-01T00:00:00.0000000Z',
                       '00000000-0000-0000-0000-000000000000', NULL, NULL, NULL, NULL, NULL, NULL
                FROM n WHERE i % 5 = 4;
                """),
        };
        foreach (var (what, sql) in steps)
        {
            var started = watch.Elapsed;
            await using var command = connection.CreateCommand();
            command.Transaction = (SqliteTransaction)transaction;
            command.CommandText = sql;
            command.Parameters.AddWithValue("$units", units);
            command.Parameters.AddWithValue("$agencies", Agencies);
            await command.ExecuteNonQueryAsync();
            Console.WriteLine($"  {what}: {(watch.Elapsed - started).TotalSeconds:F1} s");
        }
        await transaction.CommitAsync();
        await CheckForeignKeysAsync(connection, units);
        // No ANALYZE: the service never runs it, and its query plans are tested without statistics. Statistics taken here
        // would also go stale at once: they recorded the audit trail at two rows, and with that SQLite scans the whole
        // trail for every range the webhook projector and the change feed read.
        await Execute(connection, "PRAGMA foreign_keys = ON; PRAGMA locking_mode = NORMAL; PRAGMA journal_mode = WAL;");
        // The connection's exclusive lock is only released with its next access.
        await Execute(connection, "SELECT 1;");
        var storing = watch.Elapsed;
        await StoreDocumentsAsync(databaseFile);
        Console.WriteLine($"  stored compliance documents: {(watch.Elapsed - storing).TotalSeconds:F1} s");
        Console.WriteLine($"Generated {units} units in {watch.Elapsed.TotalSeconds:F1} s.");
    }

    /// <summary>
    /// The stored compliance documents, built by the service's own code (ComplianceStore, as its refresher does), so
    /// that the load test starts from what a running service would have stored; one worker per core, each on its own
    /// connection and its own units.
    /// </summary>
    private static async Task StoreDocumentsAsync(string databaseFile)
    {
        ZonaIntegritas.Api.Data.DapperTypeHandlers.Register();
        var json = new Microsoft.AspNetCore.Http.Json.JsonOptions();
        ZonaIntegritas.Api.Http.ApiJson.Configure(json.SerializerOptions);
        var store = new ZonaIntegritas.Api.Features.Compliance.ComplianceStore(new ZonaIntegritas.Api.Features.Frameworks.FrameworkCatalogue(),
            Microsoft.Extensions.Options.Options.Create(new ZonaIntegritas.Api.Features.Workflow.ProposalOptions()), Microsoft.Extensions.Options.Options.Create(json), TimeProvider.System);
        var today = ZonaIntegritas.Api.Domain.IndonesiaClock.Today(TimeProvider.System);
        var connectionString = $"Data Source={databaseFile};Default Timeout=60";
        List<Guid> unitIds;
        await using (var connection = new SqliteConnection(connectionString))
        {
            await connection.OpenAsync();
            unitIds = (await Dapper.SqlMapper.QueryAsync<Guid>(connection, "SELECT id FROM units ORDER BY id")).ToList();
        }
        var chunks = new System.Collections.Concurrent.ConcurrentQueue<Guid[]>(unitIds.Chunk(500));
        await Task.WhenAll(Enumerable.Range(0, Environment.ProcessorCount).Select(_ => Task.Run(async () =>
        {
            await using var connection = new SqliteConnection(connectionString);
            await connection.OpenAsync();
            await Execute(connection, "PRAGMA busy_timeout = 60000; PRAGMA synchronous = OFF;");
            while (chunks.TryDequeue(out var chunk))
            {
                await store.RefreshUnitsAsync(connection, ZonaIntegritas.Api.Data.SqliteDialect.Instance, chunk, today);
            }
        })));
    }

    /// <summary>
    /// Fails the load when a generated row points at nothing. The statements are the same at every size, so checking
    /// loads of up to 10,000 units (the load script's first size) covers the large ones, where the check would cost
    /// what switching the constraints off saved.
    /// </summary>
    private static async Task CheckForeignKeysAsync(SqliteConnection connection, int units)
    {
        if (units > 10_000)
        {
            return;
        }
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT \"table\", parent, COUNT(*) FROM pragma_foreign_key_check GROUP BY 1, 2";
        await using var reader = await command.ExecuteReaderAsync();
        var broken = new List<string>();
        while (await reader.ReadAsync())
        {
            broken.Add($"{reader.GetString(0)} → {reader.GetString(1)}: {reader.GetInt64(2)} rows");
        }
        if (broken.Count > 0)
        {
            throw new InvalidOperationException($"The generated rows break foreign keys: {string.Join("; ", broken)}");
        }
        Console.WriteLine("  foreign keys: checked, none broken");
    }

    private static async Task Execute(SqliteConnection connection, string sql)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync();
    }
}
