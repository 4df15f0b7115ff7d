using System.Security.Claims;
using Dapper;
using FluentValidation;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using ZonaIntegritas.Api.Auth;
using ZonaIntegritas.Api.Data;
using ZonaIntegritas.Api.Http;

namespace ZonaIntegritas.Api.Features.PortalRb;

/// <summary>One call PortalRB (or anyone with a key) made to a pull endpoint. <c>endpoint</c>: unit-wbk, unit-wbbm or jawaban-unit.</summary>
public sealed record PortalRbFetch
{
    public long Id { get; init; }
    public DateTimeOffset At { get; init; }
    public Guid? ApiKeyId { get; init; }
    public Guid? AgencyId { get; init; }
    public string Endpoint { get; init; } = "";
    public Guid? UnitId { get; init; }
    public int? Year { get; init; }
    public int Status { get; init; }
    public string? RequestId { get; init; }
}

public sealed record FetchQuery([FromQuery(Name = "unitId")] Guid? UnitId, [FromQuery(Name = "year")] int? Year, [FromQuery(Name = "page")] int? Page,
    [FromQuery(Name = "pageSize")] int? PageSize) : IPagedQuery;

public sealed class FetchQueryValidator : PagedQueryValidator<FetchQuery>
{
    public FetchQueryValidator() => RuleFor(q => q.Year).ValidYear();
}

/// <summary>
/// Every authenticated call to a pull endpoint is recorded once it has been answered (status included, 403 and 429 too),
/// in the append-only <c>portalrb_fetches</c> table and the audit trail (each row with its audit entry, written in batches
/// by <see cref="FetchLogWriter"/>). Calls without a valid key are not: they are counted and audited by the
/// failed-authentication limiter.
/// </summary>
public static class FetchLog
{
    private const string FactsKey = "portalrb.fetch";

    private sealed record Facts(Guid AgencyId, Guid? UnitId, int Year);

    /// <summary>Called by the endpoints once they know the agency, unit and year they answer for.</summary>
    public static void Note(HttpContext http, Guid agencyId, Guid? unitId, int year) => http.Items[FactsKey] = new Facts(agencyId, unitId, year);

    /// <summary>Placed after authentication and before rate limiting, so that refused calls are seen with their status.</summary>
    public static IApplicationBuilder UsePortalRbFetchLog(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        if (!PortalRbErrors.IsPullRequest(context) || Endpoint(context) is not { } endpoint)
        {
            await next(context);
            return;
        }
        var failed = false;
        try
        {
            await next(context);
        }
        catch
        {
            failed = true;
            throw;
        }
        finally
        {
            if (context.User.FindFirstValue(ClaimTypes.NameIdentifier) is not null)
            {
                await RecordAsync(context, endpoint, failed ? StatusCodes.Status500InternalServerError : context.Response.StatusCode);
            }
        }
    });

    private static string? Endpoint(HttpContext context)
    {
        context.Request.Path.StartsWithSegments(PortalRbOptions.BasePath, out var remaining);
        var rest = remaining.Value ?? "";
        return rest switch
        {
            "/pengusulan/unit-wbk" => "unit-wbk",
            "/pengusulan/unit-wbbm" => "unit-wbbm",
            _ when rest.StartsWith("/lke/jawaban-unit/", StringComparison.Ordinal) => "jawaban-unit",
            _ => null,
        };
    }

    private static async Task RecordAsync(HttpContext context, string endpoint, int status)
    {
        var services = context.RequestServices;
        var time = services.GetRequiredService<TimeProvider>();
        var caller = Caller.From(context.User) with
        {
            RequestId = context.TraceIdentifier,
            ClientIp = context.Connection.RemoteIpAddress?.ToString(),
            At = time.GetUtcNow(),
        };
        var facts = context.Items[FactsKey] as Facts;
        Guid? unitId = facts?.UnitId;
        if (facts is null && endpoint == "jawaban-unit" && Guid.TryParse(context.Request.Path.Value![(context.Request.Path.Value!.LastIndexOf('/') + 1)..], out var fromPath))
        {
            unitId = fromPath;
        }
        var agencyId = facts?.AgencyId ?? caller.AgencyId;
        // Queued, not committed here: the writer commits entries in batches (see FetchLogWriter).
        await services.GetRequiredService<FetchLogWriter>().AddAsync(new FetchEntry(caller, endpoint, agencyId, unitId, facts?.Year, status));
    }

    public static RouteGroupBuilder MapPortalRbFetches(this RouteGroupBuilder api)
    {
        api.MapGet("/portalrb/fetches", ListPortalRbFetches)
            .WithTags(PortalRbEndpoints.Tag)
            .RequireAuthorization(Policies.ReadAudit)
            .WithValidation()
            .WithName(nameof(ListPortalRbFetches))
            .WithSummary("Every call PortalRB made to the pull endpoints, newest first")
            .WithDescription("""
                Which endpoint (unit-wbk, unit-wbbm, jawaban-unit), unit, evaluation year, time, key and the status answered. Filters:
                `unitId`, `year`. Admin sees every agency; an inspectorate its own. Append-only: nothing updates or deletes entries.
                """)
            .Produces<Page<PortalRbFetch>>(StatusCodes.Status200OK, "application/json")
            .ProducesValidationProblem();
        return api;
    }

    private const string FilterFragment = """
        WHERE (@AgencyId IS NULL OR agency_id = @AgencyId)
          AND (@UnitId IS NULL OR unit_id = @UnitId)
          AND (@Year IS NULL OR year = @Year)
        """;

    private const string CountSql = $"SELECT COUNT(*) FROM portalrb_fetches {FilterFragment}";

    private const string PageSql = $"""
        SELECT id, at, api_key_id, agency_id, endpoint, unit_id, year, status, request_id
        FROM portalrb_fetches
        {FilterFragment}
        ORDER BY id DESC
        """;

    public static async Task<Results<Ok<Page<PortalRbFetch>>, ValidationProblem>> ListPortalRbFetches(
        [AsParameters] FetchQuery query, Caller caller, DbConnectionFactory db, FetchLogWriter writer, CancellationToken cancellationToken)
    {
        // The entries of calls already answered by this instance are listed, even if their batch is still being written.
        await writer.FlushAsync(cancellationToken);
        await using var connection = await db.OpenAsync(cancellationToken);
        var filter = new { AgencyId = caller.ScopeAgencyId, query.UnitId, query.Year };
        return TypedResults.Ok(await connection.QueryPageAsync<PortalRbFetch>(db.Dialect, CountSql, PageSql, filter, ((IPagedQuery)query).Paging));
    }
}
