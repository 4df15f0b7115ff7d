using System.Security.Claims;
using Dapper;
using FluentValidation;
using Microsoft.AspNetCore.Http.HttpResults;
using ZonaIntegritas.Api.Auth;
using ZonaIntegritas.Api.Data;
using ZonaIntegritas.Api.Features.Audit;
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

public sealed record FetchQuery(Guid? UnitId, int? Year, int? Page, int? PageSize);

public sealed class FetchQueryValidator : AbstractValidator<FetchQuery>
{
    public FetchQueryValidator()
    {
        RuleFor(q => q.Year).InclusiveBetween(2000, 2200).When(q => q.Year is not null);
        RuleFor(q => q.Page).InclusiveBetween(1, 1_000_000).When(q => q.Page is not null);
        RuleFor(q => q.PageSize).InclusiveBetween(1, PageRequest.MaximumPageSize).When(q => q.PageSize is not null);
    }
}

/// <summary>
/// Every authenticated call to a pull endpoint is recorded once it has been answered (status included, 403 and 429 too),
/// in the append-only <c>portalrb_fetches</c> table and the audit trail, in one transaction. Calls without a valid key
/// are not: they are counted and audited by the failed-authentication limiter.
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
        const string insert = """
            INSERT INTO portalrb_fetches (at, api_key_id, agency_id, endpoint, unit_id, year, status, request_id)
            VALUES (@At, @ApiKeyId, @AgencyId, @Endpoint, @UnitId, @Year, @Status, @RequestId)
            """;
        // Not the request's token: the log outlives a cancelled call, which is exactly when it matters.
        await using var connection = await services.GetRequiredService<DbConnectionFactory>().OpenAsync(CancellationToken.None);
        await using var transaction = await connection.BeginTransactionAsync();
        await connection.ExecuteAsync(insert, new
        {
            caller.At, ApiKeyId = caller.KeyId, AgencyId = agencyId, Endpoint = endpoint, UnitId = unitId, facts?.Year, Status = status, caller.RequestId,
        }, transaction);
        await connection.AuditAsync(transaction, caller, new AuditChange("portalrb.fetched", "portalrb_fetch", (unitId ?? agencyId)?.ToString() ?? "-", agencyId, unitId,
            new { Endpoint = endpoint, Year = facts?.Year, Status = status }));
        await transaction.CommitAsync();
        // The unit's compliance document shows when PortalRB last fetched it.
        var stamps = services.GetRequiredService<ChangeStamps>();
        foreach (var (entityType, agency, unit) in caller.Changes.Drain())
        {
            stamps.Record(entityType, agency, unit);
        }
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
        [AsParameters] FetchQuery query, Caller caller, DbConnectionFactory db, CancellationToken cancellationToken)
    {
        var paging = new PageRequest(query.Page ?? 1, query.PageSize ?? PageRequest.DefaultPageSize);
        await using var connection = await db.OpenAsync(cancellationToken);
        var filter = new { AgencyId = caller.IsAdmin ? null : caller.AgencyId, query.UnitId, query.Year };
        return TypedResults.Ok(await connection.QueryPageAsync<PortalRbFetch>(db.Dialect, CountSql, PageSql, filter, paging));
    }
}
