using ZonaIntegritas.Api.Features.Audit;

namespace ZonaIntegritas.Api.Features.Frameworks;

/// <summary>
/// Mirrors each catalogue into the frameworks/framework_items tables at start, so answers reference real items.
/// Idempotent. A file whose content changed under the same code is accepted only when the worksheet answers were given
/// against is unchanged: the same items with the same codes, order, places, answer types, scored flags and weights (the
/// mirrored rows). Then notes, texts and scoring data such as required inputs may be corrected: the stored hash follows
/// and the revision is audited. Any change to the mirrored rows is refused; it needs a new framework code.
/// </summary>
public sealed class FrameworkStore(DbConnectionFactory db, FrameworkCatalogue catalogue, TimeProvider time)
{
    public async Task SynchronizeAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await db.OpenAsync(cancellationToken);
        foreach (var framework in catalogue.All)
        {
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
            var sha = catalogue.Sha256Of(framework.Code);
            const string find = "SELECT source_sha256 FROM frameworks WHERE code = @Code";
            var stored = await connection.ExecuteScalarAsync<string?>(find, new { framework.Code }, transaction);
            if (stored == sha)
            {
                continue;
            }
            if (stored is not null)
            {
                if (await FirstStructuralDifference(connection, transaction, framework) is { } difference)
                {
                    throw new InvalidOperationException(
                        $"Framework {framework.Code} in db/frameworks differs from the one the database was loaded with (SHA-256 {stored}) in its items: "
                        + $"{difference}. A changed worksheet must be published under a new framework code in a new file.");
                }
                const string revise = "UPDATE frameworks SET title = @Title, source_sha256 = @Sha, loaded_at = @Now WHERE code = @Code";
                await connection.ExecuteAsync(revise, new { framework.Code, framework.Title, Sha = sha, Now = time.GetUtcNow() }, transaction);
                await AuditTrail.AppendAnonymousAsync(connection, transaction, time.GetUtcNow(), null, null,
                    new AuditChange("framework.revised", "framework", framework.Code, Changes: new { Sha256 = new FieldChange(stored, sha) }));
                await transaction.CommitAsync(cancellationToken);
                continue;
            }
            await Insert(connection, transaction, framework, sha);
            await AuditTrail.AppendAnonymousAsync(connection, transaction, time.GetUtcNow(), null, null,
                new AuditChange("framework.loaded", "framework", framework.Code, Changes: new { Sha256 = sha, Items = framework.Items.Count }));
            await transaction.CommitAsync(cancellationToken);
        }
    }

    /// <summary>The first item whose mirrored row (code, order, place, type, scored, weight) differs from the catalogue's; null when none does.</summary>
    private static async Task<string?> FirstStructuralDifference(DbConnection connection, DbTransaction transaction, Framework framework)
    {
        const string sql = """
            SELECT item_code, ordinal, area_code, sub_indicator_code, parent_item_code, answer_type, scored, weight
            FROM framework_items WHERE framework_code = @Code ORDER BY ordinal
            """;
        var stored = (await connection.QueryAsync<MirroredItem>(sql, new { framework.Code }, transaction)).ToList();
        var expected = framework.Items.Select(Mirror).ToList();
        for (var i = 0; i < Math.Max(stored.Count, expected.Count); i++)
        {
            var before = i < stored.Count ? stored[i] : null;
            var now = i < expected.Count ? expected[i] : null;
            if (before != now)
            {
                return before is null ? $"item {now!.ItemCode} is new"
                    : now is null ? $"item {before.ItemCode} is gone"
                    : $"item {before.ItemCode} was {before}, now {now}";
            }
        }
        return null;
    }

    private static MirroredItem Mirror(FrameworkItem item) => new()
    {
        ItemCode = item.Code,
        Ordinal = item.Ordinal,
        AreaCode = item.AreaCode,
        SubIndicatorCode = item.SubIndicatorCode,
        ParentItemCode = item.ParentItem,
        AnswerType = item.AnswerType,
        Scored = item.Scored,
        Weight = item.Weight?.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

    private sealed record MirroredItem
    {
        public string ItemCode { get; init; } = "";
        public int Ordinal { get; init; }
        public string AreaCode { get; init; } = "";
        public string SubIndicatorCode { get; init; } = "";
        public string? ParentItemCode { get; init; }
        public string AnswerType { get; init; } = "";
        public bool Scored { get; init; }
        public string? Weight { get; init; }
    }

    private async Task Insert(DbConnection connection, DbTransaction transaction, Framework framework, string sha)
    {
        const string insertFramework = """
            INSERT INTO frameworks (code, title, source_sha256, loaded_at) VALUES (@Code, @Title, @Sha, @Now)
            """;
        const string insertItem = """
            INSERT INTO framework_items (framework_code, item_code, ordinal, area_code, sub_indicator_code, parent_item_code, answer_type, scored, weight)
            VALUES (@FrameworkCode, @Code, @Ordinal, @AreaCode, @SubIndicatorCode, @ParentItem, @AnswerType, @Scored, @Weight)
            """;
        await connection.ExecuteAsync(insertFramework, new { framework.Code, framework.Title, Sha = sha, Now = time.GetUtcNow() }, transaction);
        await connection.ExecuteAsync(insertItem, framework.Items.Select(i => new
        {
            FrameworkCode = framework.Code,
            i.Code,
            i.Ordinal,
            i.AreaCode,
            i.SubIndicatorCode,
            i.ParentItem,
            i.AnswerType,
            i.Scored,
            Weight = i.Weight?.ToString(System.Globalization.CultureInfo.InvariantCulture),
        }), transaction);
    }
}
