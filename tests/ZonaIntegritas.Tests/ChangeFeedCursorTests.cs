using ZonaIntegritas.Api.Data;

namespace ZonaIntegritas.Tests;

/// <summary>
/// The change feed's reading rule against a simulated SQL Server: identities and rowversions are handed out at insert,
/// rows become visible when their transaction commits (in any order), and MIN_ACTIVE_ROWVERSION() is the lowest
/// rowversion an open transaction holds, or the next one to be handed out.
/// </summary>
public sealed class ChangeFeedCursorTests
{
    [Fact]
    public void AnEntryCommittedAfterAHigherOneIsStillRead()
    {
        var server = new SimulatedServer();
        var cursor = new ChangeFeedCursor(server.MinActiveRowversion - 1);
        var delivered = new List<long>();
        var first = server.Begin();
        var second = server.Begin();
        var early = first.InsertAudit();
        var late = second.InsertAudit();
        second.Commit();

        delivered.AddRange(Poll(server, cursor));
        first.Commit();
        delivered.AddRange(Poll(server, cursor));

        Assert.Equal([early.Id, late.Id], delivered.Select(p => server.IdOf(p)).Order());
    }

    [Fact]
    public void ReadingByIdAloneWouldMissThatEntry()
    {
        // The same sequence read the way the feed used to (everything above the highest id seen): the lower id is lost.
        var server = new SimulatedServer();
        var first = server.Begin();
        var second = server.Begin();
        var early = first.InsertAudit();
        second.InsertAudit();
        second.Commit();
        long seenId = 0;
        var delivered = new List<long>();
        foreach (var pass in new[] { 1, 2 })
        {
            var rows = server.Visible().Where(r => r.Id > seenId).OrderBy(r => r.Id).ToList();
            delivered.AddRange(rows.Select(r => r.Id));
            seenId = rows.Count > 0 ? rows[^1].Id : seenId;
            first.Commit();
        }

        Assert.DoesNotContain(early.Id, delivered);
    }

    [Fact]
    public void EveryCommittedEntryIsReadExactlyOnceWhateverTheOrderOfCommits()
    {
        for (var seed = 1; seed <= 300; seed++)
        {
            var random = new Random(seed);
            var server = new SimulatedServer();
            var cursor = new ChangeFeedCursor(server.MinActiveRowversion - 1);
            var delivered = new List<long>();
            var open = new List<SimulatedServer.Transaction>();
            for (var step = 0; step < 60; step++)
            {
                switch (random.Next(6))
                {
                    case 0:
                        open.Add(server.Begin());
                        break;
                    case 1 or 2 when open.Count > 0:
                        // Where in its transaction the audit row goes does not matter: some insert early and stay open.
                        open[random.Next(open.Count)].InsertAudit();
                        break;
                    case 3 when open.Count > 0:
                        var finishing = open[random.Next(open.Count)];
                        open.Remove(finishing);
                        if (random.Next(5) == 0) finishing.Rollback(); else finishing.Commit();
                        break;
                    default:
                        delivered.AddRange(Poll(server, cursor));
                        break;
                }
            }
            foreach (var transaction in open)
            {
                transaction.Commit();
            }
            delivered.AddRange(Poll(server, cursor));

            var committed = server.Visible().Select(r => r.Rowversion).Order().ToList();
            Assert.True(committed.SequenceEqual(delivered.Order()), $"seed {seed}: committed [{string.Join(", ", committed)}], read [{string.Join(", ", delivered)}]");
        }
    }

    [Fact]
    public void TheSameRowOfferedTwiceIsTakenOnce()
    {
        var cursor = new ChangeFeedCursor(0);
        var row = new FeedEntry { Position = 5, EntityType = "unit" };

        var taken = cursor.Accept([row, row], safeBelow: 10);

        Assert.Single(taken);
        Assert.Empty(cursor.Accept([row], safeBelow: 10));
        Assert.Equal(5, cursor.Seen);
    }

    /// <summary>What ChangeFeed does on each poll: the bound first, then the committed rows after Seen.</summary>
    private static IEnumerable<long> Poll(SimulatedServer server, ChangeFeedCursor cursor)
    {
        var bound = server.MinActiveRowversion;
        var rows = server.Visible().Where(r => r.Rowversion > cursor.Seen)
            .Select(r => new FeedEntry { Position = r.Rowversion, EntityType = "unit" });
        return cursor.Accept(rows, bound).Select(e => e.Position).ToList();
    }

    private sealed class SimulatedServer
    {
        private long _identity;
        private long _databaseTimestamp = 1000;
        private readonly List<Row> _rows = [];

        public sealed record Row(long Id, long Rowversion, Transaction Owner);

        public long MinActiveRowversion =>
            _rows.Where(r => r.Owner.State == TransactionState.Open).Select(r => r.Rowversion).DefaultIfEmpty(_databaseTimestamp + 1).Min();

        public Transaction Begin() => new(this);

        public IEnumerable<Row> Visible() => _rows.Where(r => r.Owner.State == TransactionState.Committed);

        public long IdOf(long rowversion) => _rows.Single(r => r.Rowversion == rowversion).Id;

        public enum TransactionState { Open, Committed, RolledBack }

        public sealed class Transaction(SimulatedServer server)
        {
            public TransactionState State { get; private set; }

            public Row InsertAudit()
            {
                var row = new Row(++server._identity, ++server._databaseTimestamp, this);
                server._rows.Add(row);
                return row;
            }

            public void Commit() => State = TransactionState.Committed;

            public void Rollback() => State = TransactionState.RolledBack;
        }
    }
}
