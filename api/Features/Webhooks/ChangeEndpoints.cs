using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Dapper;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using ZonaIntegritas.Api.Auth;
using ZonaIntegritas.Api.Data;
using ZonaIntegritas.Api.Http;

namespace ZonaIntegritas.Api.Features.Webhooks;

/// <summary>
/// The change stream: the events table read forward by cursor, as JSON pages (with long polling) or as server-sent
/// events. Events get their cursor when projected, one projector at a time, so cursors only ever grow in commit order.
/// Retention (<see cref="EventRetention"/>) deletes old events: a cursor below the newest deleted one has missed some,
/// and is answered 410 rather than a page that silently skips them.
/// </summary>
public static class ChangeEndpoints
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private static readonly TimeSpan Heartbeat = TimeSpan.FromSeconds(15);
    private const int StreamBatch = 200;

    private sealed record Scope(Guid? AgencyId, Guid? UnitId);

    private sealed class EventRow
    {
        public long Seq { get; init; }
        public string Type { get; init; } = "";
        public string Body { get; init; } = "";
    }

    public static RouteGroupBuilder MapChanges(this RouteGroupBuilder api)
    {
        api.MapGet("/changes", ListChanges)
            .WithTags("Webhooks")
            .WithValidation()
            .WithName(nameof(ListChanges))
            .WithSummary("Events after a cursor, in order (long polling, or server-sent events)")
            .WithDescription("""
                Every key reads the events of what it may read: national keys all (or one agency with `agencyId`), agency keys
                their agency, unit keys their unit. `after`: the `nextCursor` of the previous page (none: from the oldest event
                kept). `wait` (0–30 s): when nothing is there yet, wait that long for the first event before answering an empty
                page. With `Accept: text/event-stream` the answer is a stream of server-sent events (`id:` the cursor, `event:`
                the type, `data:` the event JSON), with a comment line as heartbeat every 15 s; on reconnecting, `Last-Event-ID`
                takes the place of `after`. Events are kept `Webhooks:RetentionDays` (default 30): a cursor (`after` or
                `Last-Event-ID`, 0 included) below the newest deleted event has missed events and gets 410, before any stream
                starts, with `oldestCursor`: re-read the resources the client follows, then continue with `after=oldestCursor`.
                """)
            .Produces<ChangePage>(StatusCodes.Status200OK, "application/json", "text/event-stream")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status410Gone)
            .WithResponseDescription(StatusCodes.Status200OK,
                "The events after the cursor in order, with `nextCursor` (JSON); or, for `Accept: text/event-stream`, a stream of them that stays open.")
            .WithResponseDescription(StatusCodes.Status400BadRequest,
                "Bad Request: `after`, `wait` or `limit` out of range, or a `Last-Event-ID` that is not a cursor; `errors` names it.")
            .WithResponseDescription(StatusCodes.Status404NotFound, "Not Found: `agencyId` names an agency this key may not read (or none).")
            .WithResponseDescription(StatusCodes.Status410Gone,
                "Gone: events after this cursor were deleted by retention, so the client missed some. `parameter` names where the cursor "
                + "came from (`after` or `Last-Event-ID`), `cursor` repeats it, `oldestCursor` is the cursor to continue from (nothing "
                + "after it is missing) and `retentionDays` how long events are kept.");
        return api;
    }

    public static async Task<Results<Ok<ChangePage>, EmptyHttpResult, ValidationProblem, ProblemHttpResult>> ListChanges(
        [AsParameters] ChangeQuery query, [FromHeader(Name = "Last-Event-ID")] string? lastEventId, HttpContext http, Caller caller, DbConnectionFactory db, EventSignal signal,
        IOptions<WebhookOptions> options, IHostApplicationLifetime lifetime, CancellationToken requestAborted)
    {
        // A waiting poll or an open stream ends when the client leaves or the server stops, so shutdown does not wait for it.
        using var stopping = CancellationTokenSource.CreateLinkedTokenSource(requestAborted, lifetime.ApplicationStopping);
        var cancellationToken = stopping.Token;
        if (query.AgencyId is { } agency && !caller.CanSeeAgency(agency))
        {
            return Problems.NotFound("Agency", agency);
        }
        // A unit key sees its unit (the SQL filters on the unit first); others their agency, national keys the one asked for.
        var scope = new Scope(caller.ScopeAgencyId ?? query.AgencyId, caller.ScopeUnitId);
        var poll = TimeSpan.FromMilliseconds(options.Value.PollMilliseconds);
        var retentionDays = options.Value.RetentionDays;
        if (http.Request.Headers.Accept.Any(a => a?.Contains("text/event-stream", StringComparison.OrdinalIgnoreCase) == true))
        {
            return await OpenStream(query.After, lastEventId, http, db, signal, scope, poll, retentionDays, cancellationToken);
        }
        var after = query.After ?? 0;
        // Without a cursor the client starts from whatever is kept: it has nothing to miss.
        var check = query.After is not null;
        var limit = query.Limit ?? 100;
        var waited = Stopwatch.StartNew();
        var wait = TimeSpan.FromSeconds(query.Wait ?? 0);
        while (true)
        {
            var (rows, next, purgedThrough) = await ReadAsync(db, scope, after, limit, requestAborted);
            if (check && after < purgedThrough)
            {
                return Missed("after", after, purgedThrough, retentionDays);
            }
            if (rows.Count > 0 || waited.Elapsed >= wait || lifetime.ApplicationStopping.IsCancellationRequested)
            {
                return TypedResults.Ok(new ChangePage(rows.Select(r => JsonSerializer.Deserialize<ChangeEvent>(r.Body, Json)!).ToList(), next));
            }
            after = next;
            check = true;
            try
            {
                await signal.WaitAsync(Min(poll, wait - waited.Elapsed), cancellationToken);
            }
            catch (OperationCanceledException) when (!requestAborted.IsCancellationRequested)
            {
                // Stopping: the next round answers with what there is.
            }
        }
    }

    /// <summary>The SSE form: resumes from Last-Event-ID (else <c>after</c>), answering a missed cursor with 410 before the stream starts.</summary>
    private static async Task<Results<Ok<ChangePage>, EmptyHttpResult, ValidationProblem, ProblemHttpResult>> OpenStream(long? after, string? lastEventId,
        HttpContext http, DbConnectionFactory db, EventSignal signal, Scope scope, TimeSpan poll, int retentionDays, CancellationToken cancellationToken)
    {
        long? resumed = null;
        if (!string.IsNullOrEmpty(lastEventId))
        {
            if (!long.TryParse(lastEventId, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var cursor))
            {
                return Problems.Invalid("Last-Event-ID", "Last-Event-ID must be a cursor (a non-negative integer) sent by this stream.");
            }
            resumed = cursor;
        }
        var from = resumed ?? after;
        // The first batch is read before the stream starts, so that a missed cursor can still be answered with a status.
        var first = await ReadAsync(db, scope, from ?? 0, StreamBatch, cancellationToken);
        if (from is { } given && given < first.PurgedThrough)
        {
            return Missed(resumed is null ? "after" : "Last-Event-ID", given, first.PurgedThrough, retentionDays);
        }
        await StreamAsync(http, db, signal, scope, first, poll, cancellationToken);
        return TypedResults.Empty;
    }

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b < TimeSpan.Zero ? TimeSpan.Zero : b;

    private static ProblemHttpResult Missed(string parameter, long cursor, long oldestCursor, int retentionDays) => Problems.Gone(
        $"Events after cursor {cursor} ({parameter}) were deleted: events are kept {retentionDays} days, so this client missed some. "
        + $"Read the resources it follows again, then continue with after={oldestCursor}.",
        new Dictionary<string, object?> { ["parameter"] = parameter, ["cursor"] = cursor, ["oldestCursor"] = oldestCursor, ["retentionDays"] = retentionDays });

    private sealed record Batch(List<EventRow> Rows, long Next, long PurgedThrough);

    /// <summary>
    /// Up to <paramref name="limit"/> events in scope after the cursor, and the cursor to go on from: the last one read,
    /// or, when fewer came, the newest event of any scope at the time of reading (events the scope does not see are
    /// passed over once, not read again). And the newest cursor retention has deleted, read after the events: when the
    /// cursor is not below it, no event the page should hold had been deleted when the page was read.
    /// </summary>
    private static async Task<Batch> ReadAsync(DbConnectionFactory db, Scope scope, long after, int limit, CancellationToken cancellationToken)
    {
        await using var connection = await db.OpenAsync(cancellationToken);
        var newest = await connection.ExecuteScalarAsync<long>("SELECT COALESCE(MAX(seq), 0) FROM events");
        const string columns = "SELECT seq, type, body FROM events WHERE seq > @After AND seq <= @Newest";
        var sql = scope.UnitId is not null ? $"{columns} AND unit_id = @UnitId ORDER BY seq"
            : scope.AgencyId is not null ? $"{columns} AND agency_id = @AgencyId ORDER BY seq"
            : $"{columns} ORDER BY seq";
        var rows = (await connection.QueryAsync<EventRow>(sql + db.Dialect.Paging,
            new { After = after, Newest = newest, scope.UnitId, scope.AgencyId, Skip = 0, Take = limit })).AsList();
        var next = rows.Count == limit ? rows[^1].Seq : Math.Max(after, newest);
        var purgedThrough = await connection.ExecuteScalarAsync<long>(EventRetention.PurgedThroughSql);
        return new Batch(rows, next, purgedThrough);
    }

    private static async Task StreamAsync(HttpContext http, DbConnectionFactory db, EventSignal signal, Scope scope, Batch first, TimeSpan poll, CancellationToken cancellationToken)
    {
        http.Response.ContentType = "text/event-stream; charset=utf-8";
        http.Response.Headers.CacheControl = "no-cache";
        // Proxies such as nginx would otherwise hold the stream back.
        http.Response.Headers["X-Accel-Buffering"] = "no";
        var body = http.Response.Body;
        var sinceBeat = Stopwatch.StartNew();
        try
        {
            await Write(body, "retry: 3000\n\n", cancellationToken);
            Batch? batch = first;
            var after = first.Next;
            while (!cancellationToken.IsCancellationRequested)
            {
                var (rows, next, _) = batch ?? await ReadAsync(db, scope, after, StreamBatch, cancellationToken);
                batch = null;
                foreach (var row in rows)
                {
                    await Write(body, $"id: {row.Seq}\nevent: {row.Type}\ndata: {row.Body}\n\n", cancellationToken);
                }
                after = next;
                if (rows.Count > 0)
                {
                    sinceBeat.Restart();
                    if (rows.Count == StreamBatch)
                    {
                        continue;
                    }
                }
                else if (sinceBeat.Elapsed >= Heartbeat)
                {
                    await Write(body, ": heartbeat\n\n", cancellationToken);
                    sinceBeat.Restart();
                }
                await signal.WaitAsync(poll, cancellationToken);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The client went away.
        }
    }

    private static async Task Write(Stream body, string text, CancellationToken cancellationToken)
    {
        await body.WriteAsync(Encoding.UTF8.GetBytes(text), cancellationToken);
        await body.FlushAsync(cancellationToken);
    }
}
