using Dapper;
using Microsoft.Extensions.Options;
using ZonaIntegritas.Api.Data;
using ZonaIntegritas.Api.Features.Compliance;
using ZonaIntegritas.Api.Features.Frameworks;
using ZonaIntegritas.Api.Features.Workflow;

namespace ZonaIntegritas.Api.Features.Webhooks;

/// <summary>
/// The outbox relay. Every write appends its audit entry in its own transaction, so an entry exists exactly when its
/// write committed. This service reads entries after its persisted position and below the change feed's safe bound
/// (<see cref="ChangeFeedCursor"/>: on SQL Server transactions commit out of order), turns them into events and, in
/// ONE transaction, writes the events, their deliveries and the new position. A kill at any point loses nothing and
/// duplicates nothing: the position moves with the events it produced. One instance projects at a time: it holds the
/// lease in <c>outbox_projection</c>, and the position only moves from where its read started.
/// </summary>
public sealed class EventProjector(DbConnectionFactory db, FrameworkCatalogue catalogue, IOptions<ProposalOptions> proposals,
    IOptions<WebhookOptions> options, TimeProvider time, EventSignal signal, WriteSignal written, ILogger<EventProjector> logger) : BackgroundService
{
    /// <summary>How long a wake-up waits for more writes: under load, one round then projects a burst instead of each write alone.</summary>
    private static readonly TimeSpan Gather = TimeSpan.FromMilliseconds(20);

    private const string Name = "events";
    private const int BatchSize = 500;
    private static readonly TimeSpan LeaseTime = TimeSpan.FromSeconds(30);
    private readonly string _holder = $"projector:{Environment.ProcessId}:{Guid.NewGuid():N}";
    private readonly SemaphoreSlim _running = new(1, 1);

    private sealed class State
    {
        public long Position { get; init; }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.Enabled)
        {
            return;
        }
        while (!stoppingToken.IsCancellationRequested)
        {
            var more = false;
            try
            {
                more = await ProjectOnceAsync(stoppingToken);
            }
            catch (Exception exception) when (!stoppingToken.IsCancellationRequested)
            {
                // A busy database must not stop the projection; the position was not moved, so the next round retries.
                logger.LogWarning(exception, "Projecting audit entries into events failed; retrying.");
            }
            if (!more)
            {
                try
                {
                    // This instance's writes wake the projector; other instances' are found by the poll.
                    await written.WaitAsync(TimeSpan.FromMilliseconds(options.Value.PollMilliseconds), stoppingToken);
                    await Task.Delay(Gather, stoppingToken);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    /// <summary>One round; true when a full batch was taken (more entries may be waiting).</summary>
    internal async Task<bool> ProjectOnceAsync(CancellationToken cancellationToken)
    {
        await _running.WaitAsync(cancellationToken);
        try
        {
            return await ProjectAsync(cancellationToken);
        }
        finally
        {
            _running.Release();
        }
    }

    private async Task<bool> ProjectAsync(CancellationToken cancellationToken)
    {
        await using var connection = await db.OpenAsync(cancellationToken);
        var now = time.GetUtcNow();
        var from = (await connection.QuerySingleAsync<State>("SELECT position FROM outbox_projection WHERE name = @Name", new { Name })).Position;
        // The bound first: entries at or above it may still be committing and are read next time.
        var safeBelow = await connection.ExecuteScalarAsync<long>(db.Dialect.ChangeFeedBound);
        var entries = (await connection.QueryAsync<OutboxEntry>(db.Dialect.OutboxEntries, new { Seen = from, SafeBelow = safeBelow, Skip = 0, Take = BatchSize })).AsList();
        var due = await AnswerDebounce.DueAsync(connection, now, TimeSpan.FromSeconds(options.Value.AnswersDebounceSeconds));
        if (entries.Count == 0 && due.Count == 0)
        {
            return false;
        }
        const string lease = """
            UPDATE outbox_projection SET lease_holder = @Holder, lease_until = @Until
            WHERE name = @Name AND (lease_holder IS NULL OR lease_holder = @Holder OR lease_until < @Now)
            """;
        if (await connection.ExecuteAsync(lease, new { Holder = _holder, Until = now + LeaseTime, Now = now, Name }) == 0)
        {
            return false;
        }

        // Events in the order of the entries that caused them; a unit's compliance events follow the last entry that touched it.
        var ordered = due.Select(d => (Index: -1, Event: AnswerDebounce.Event(d))).ToList();
        var answerChanges = new List<(OutboxEntry, Guid, string)>();
        for (var index = 0; index < entries.Count; index++)
        {
            var entry = entries[index];
            if (EventTypes.IsAnswerChange(entry.Action))
            {
                if (Guid.TryParse(entry.EntityId, out var assessmentId) && EventMapper.Layer(entry) is { } layer)
                {
                    answerChanges.Add((entry, assessmentId, layer));
                }
                continue;
            }
            ordered.AddRange(EventMapper.Map(entry).Select(e => (index, e)));
        }
        // Stage and flags are read after the entries committed; a later write in the same batch is already included.
        var touched = await UnitEventStates.TouchedAsync(connection, db.Dialect, entries);
        var standings = new List<UnitStandings.Standing>();
        foreach (var chunk in touched.Keys.Chunk(500))
        {
            standings.AddRange(await UnitStandings.ForUnitsAsync(connection, db.Dialect, catalogue, proposals.Value, chunk, time));
        }
        var (unitEvents, changed, known) = await UnitEventStates.CompareAsync(connection, db.Dialect, standings, now);
        // Stable sort: at the same index the entry's own events come first.
        var events = ordered.Concat(unitEvents.Select(e => (Index: touched[e.UnitId!.Value], Event: e)))
            .Select((e, order) => (e.Index, order, e.Event))
            .OrderBy(e => e.Index).ThenBy(e => e.order)
            .Select(e => e.Event)
            .ToList();

        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        const string move = """
            UPDATE outbox_projection SET position = @To, lease_until = @Until
            WHERE name = @Name AND position = @From AND lease_holder = @Holder
            """;
        var to = entries.Count > 0 ? entries[^1].Position : from;
        if (await connection.ExecuteAsync(move, new { To = to, Until = now + LeaseTime, Name, From = from, Holder = _holder }, transaction) == 0)
        {
            // Another instance took the lease and projected meanwhile; its events stand, this batch is dropped.
            await transaction.RollbackAsync(cancellationToken);
            return false;
        }
        await AnswerDebounce.AnnouncedAsync(connection, transaction, due);
        await AnswerDebounce.NoteAsync(connection, transaction, answerChanges);
        await UnitEventStates.SaveAsync(connection, transaction, changed, known);
        await EventWriter.WriteAsync(connection, transaction, events, now);
        await transaction.CommitAsync(cancellationToken);
        if (events.Count > 0)
        {
            signal.Pulse();
        }
        return entries.Count == BatchSize;
    }
}
