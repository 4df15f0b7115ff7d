namespace ZonaIntegritas.Api.Data;

/// <summary>One audit entry as the change feed reads it: its feed position and what it touched.</summary>
public sealed class FeedEntry
{
    public long Position { get; init; }
    public string EntityType { get; init; } = "";
    public Guid? AgencyId { get; init; }
    public Guid? UnitId { get; init; }
}

/// <summary>
/// Where the change feed has read up to, and the rule for moving on. Positions are assigned when an entry is written,
/// but entries become visible when their transaction commits, and on SQL Server transactions commit in any order: an
/// entry with a lower id (or rowversion) can appear after a higher one was read. A cursor that simply moved to the
/// highest position read would then pass over it for good.
/// <para>
/// The cure is a safe bound from the database: a position below which no entry can still appear. SQL Server gives it
/// as <c>MIN_ACTIVE_ROWVERSION()</c> (the lowest rowversion an open transaction holds, or the next one to be handed
/// out), so only entries below it are taken and the rest are read again on the next poll, whenever and in whatever
/// order their transactions commit. Because the bound comes from the open transactions themselves, it does not matter
/// where in its transaction a write inserts its audit entry, nor how long the transaction runs. On SQLite writers are
/// serialised, so the highest id plus one is already such a bound. A trailing re-read window was the alternative; it
/// needs a guess at the longest transaction and is wrong past it, so it was not taken.
/// </para>
/// </summary>
public sealed class ChangeFeedCursor(long start)
{
    public long Seen { get; private set; } = start;

    /// <summary>
    /// Takes, in position order and once each, the entries after <see cref="Seen"/> and below <paramref name="safeBelow"/>;
    /// everything at or above the bound is left for a later read.
    /// </summary>
    public IReadOnlyList<FeedEntry> Accept(IEnumerable<FeedEntry> rows, long safeBelow)
    {
        var taken = rows.Where(row => row.Position > Seen && row.Position < safeBelow)
            .DistinctBy(row => row.Position)
            .OrderBy(row => row.Position)
            .ToList();
        if (taken.Count > 0)
        {
            Seen = taken[^1].Position;
        }
        return taken;
    }
}
