using Microsoft.AspNetCore.Http.Json;
using ZonaIntegritas.Api.Features.Assessments;
using ZonaIntegritas.Api.Features.Frameworks;
using ZonaIntegritas.Api.Features.Workflow;

namespace ZonaIntegritas.Api.Features.PortalRb;

/// <summary>
/// The three endpoints KemenPANRB's PortalRB pulls ZI proposals from (evaluation year 2026 onwards), answering in the
/// contract's shape (docs/portalrb.md). Scoped to the key's agency: PortalRB never names one.
/// </summary>
public static class PortalRbEndpoints
{
    public const string Tag = "PortalRB (pulled by KemenPANRB)";

    /// <summary>Statuses of an assessment that PortalRB sees: proposed, at any national stage, or decided by the national team.</summary>
    internal static readonly string[] ProposedStatuses = AssessmentStatus.National;

    public static IEndpointRouteBuilder MapPortalRb(this IEndpointRouteBuilder app)
    {
        var root = app.MapGroup(PortalRbOptions.BasePath).WithTags(Tag);
        var pull = root.MapGroup("").RequireAuthorization(Policies.PortalRb);

        pull.MapGet("/pengusulan/unit-wbk", ListWbkUnits)
            .WithName(nameof(ListWbkUnits))
            .WithSummary("PortalRB: the agency's units proposed for WBK in the evaluation year")
            .WithDescription(PullDescription)
            .WithPullMetadata<ProposedUnits>();
        pull.MapGet("/pengusulan/unit-wbbm", ListWbbmUnits)
            .WithName(nameof(ListWbbmUnits))
            .WithSummary("PortalRB: the agency's units proposed for WBBM in the evaluation year")
            .WithDescription(PullDescription)
            .WithPullMetadata<ProposedUnits>();
        pull.MapGet("/lke/jawaban-unit/{unit_id}", GetUnitAnswers)
            .WithName(nameof(GetUnitAnswers))
            .WithSummary("PortalRB: one proposed unit's LKE answers by PortalRB question id (soal_id)")
            .WithDescription("""
                One entry per soal of the evaluation year's PortalRB list (127 for 2026), in soal order. `jawaban_unit`/`catatan_unit`
                from the self layer, `jawaban_tpi`/`catatan_tpi` from the TPI layer, as strings ("Ya", "A", counts "12", survey values
                "3.62"); null when blank. Percentage items are not sent: PortalRB computes them from the counts. `bukti_dukung_unit`:
                a signed link (valid PortalRb:LinkDays, default 90 days) to a page listing the item's evidence, openable in a browser
                without a key; null without evidence. A unit not proposed in that year, of another agency, or unknown: 404 DATA_NOT_FOUND.
                """ + "\n" + PullDescription)
            .WithPullMetadata<UnitAnswers>();

        root.MapEvidencePages();
        return app;
    }

    private const string PullDescription = """
        Authorization: Bearer <key of role portalrb> (admin keys too, for testing, naming the agency with `agencyId`). `tahun`
        (optional) overrides the evaluation year: by default the year whose proposal window is open today, else the latest year
        with proposals in the agency. Errors: {"error": true, "code", "message"} with 401 UNAUTHORIZED, 403 FORBIDDEN,
        404 DATA_NOT_FOUND, 422 INVALID_REQUEST, 429 RATE_LIMITED (Retry-After), 500 INTERNAL_ERROR.
        """;

    private const string BearerScheme = "PortalRbBearer";

    private static RouteHandlerBuilder WithPullMetadata<T>(this RouteHandlerBuilder builder) => builder
        .AddOpenApiOperationTransformer((operation, context, _) =>
        {
            // PortalRB sends the key as a bearer token (X-Api-Key is accepted too).
            context.Document!.Components ??= new Microsoft.OpenApi.OpenApiComponents();
            context.Document.Components.SecuritySchemes ??= new Dictionary<string, Microsoft.OpenApi.IOpenApiSecurityScheme>();
            context.Document.Components.SecuritySchemes.TryAdd(BearerScheme, new Microsoft.OpenApi.OpenApiSecurityScheme
            {
                Type = Microsoft.OpenApi.SecuritySchemeType.Http,
                Scheme = "bearer",
                Description = "The key of an API key with role portalrb, as registered in PortalRB.",
            });
            operation.Security ??= [];
            operation.Security.Insert(0, new Microsoft.OpenApi.OpenApiSecurityRequirement
            {
                [new Microsoft.OpenApi.OpenApiSecuritySchemeReference(BearerScheme, context.Document)] = [],
            });
            return Task.CompletedTask;
        })
        .Produces<T>(StatusCodes.Status200OK, "application/json")
        .Produces<PortalRbError>(StatusCodes.Status401Unauthorized, "application/json")
        .Produces<PortalRbError>(StatusCodes.Status403Forbidden, "application/json")
        .Produces<PortalRbError>(StatusCodes.Status404NotFound, "application/json")
        .Produces<PortalRbError>(StatusCodes.Status422UnprocessableEntity, "application/json")
        .Produces<PortalRbError>(StatusCodes.Status429TooManyRequests, "application/json")
        .Produces<PortalRbError>(StatusCodes.Status500InternalServerError, "application/json");

    public static Task<Results<Ok<ProposedUnits>, JsonHttpResult<PortalRbError>>> ListWbkUnits(
        [AsParameters] PullQuery query, HttpContext http, Caller caller, DbConnectionFactory db, IOptions<ProposalOptions> proposals, TimeProvider time, CancellationToken cancellationToken) =>
        ListUnits(Predikat.Wbk, query, http, caller, db, proposals.Value, time, cancellationToken);

    public static Task<Results<Ok<ProposedUnits>, JsonHttpResult<PortalRbError>>> ListWbbmUnits(
        [AsParameters] PullQuery query, HttpContext http, Caller caller, DbConnectionFactory db, IOptions<ProposalOptions> proposals, TimeProvider time, CancellationToken cancellationToken) =>
        ListUnits(Predikat.Wbbm, query, http, caller, db, proposals.Value, time, cancellationToken);

    private static async Task<Results<Ok<ProposedUnits>, JsonHttpResult<PortalRbError>>> ListUnits(
        string target, PullQuery query, HttpContext http, Caller caller, DbConnectionFactory db, ProposalOptions proposals, TimeProvider time, CancellationToken cancellationToken)
    {
        if (Scope(caller, query) is not { } agencyId)
        {
            return AgencyRequired;
        }
        if (InvalidYear(query.Tahun) is { } invalid)
        {
            return invalid;
        }
        await using var connection = await db.OpenAsync(cancellationToken);
        var year = query.Tahun ?? await EvaluationYear(connection, proposals, agencyId, IndonesiaClock.Today(time));
        FetchLog.Note(http, agencyId, null, year);
        const string sql = """
            SELECT u.id, u.name, a.afirmasi
            FROM assessments a
            JOIN units u ON u.id = a.unit_id
            WHERE a.agency_id = @AgencyId AND a.year = @Year AND a.target = @Target AND a.status IN @Statuses
            ORDER BY u.code
            """;
        var rows = await connection.QueryAsync<UnitRow>(sql, new { AgencyId = agencyId, Year = year, Target = target, Statuses = ProposedStatuses });
        return TypedResults.Ok(new ProposedUnits(year, rows.Select(r => new ProposedUnit(r.Id.ToString("D"), r.Name, Kategori(target, r.Afirmasi), r.Afirmasi)).ToList()));
    }

    /// <summary>WBK units proposed as affirmative action are reported as WBK-AFIRMASI.</summary>
    internal static string Kategori(string target, bool afirmasi) => target == Predikat.Wbk && afirmasi ? "WBK-AFIRMASI" : target;

    /// <summary>
    /// Served from the unit's cached <see cref="PortalRbSheet"/> (PortalRB retries and re-pulls far more often than units
    /// write); only the evidence links are signed per call. With <c>tahun</c> given, a cached sheet needs no database.
    /// </summary>
    public static async Task<Results<FileContentHttpResult, JsonHttpResult<PortalRbError>>> GetUnitAnswers(
        string unit_id, [AsParameters] PullQuery query, HttpContext http, Caller caller, DbConnectionFactory db, ViewCache cache, FrameworkCatalogue catalogue,
        IOptions<ProposalOptions> proposals, IOptions<PortalRbOptions> options, IOptions<JsonOptions> json, EvidenceLinks links, TimeProvider time,
        CancellationToken cancellationToken)
    {
        if (Scope(caller, query) is not { } agencyId)
        {
            return AgencyRequired;
        }
        if (InvalidYear(query.Tahun) is { } invalid)
        {
            return invalid;
        }
        var today = IndonesiaClock.Today(time);
        var year = query.Tahun ?? await EvaluationYear(db, proposals.Value, agencyId, today, cancellationToken);
        var unitId = Guid.TryParse(unit_id, out var parsed) ? parsed : (Guid?)null;
        FetchLog.Note(http, agencyId, unitId, year);
        var key = unitId is { } unit ? new PortalRbSheetKey(agencyId, unit, year) : null;
        var sheet = key is null ? null : await cache.GetOrBuildAsync(key, key.Scope, today, () => PortalRbSheets.ReadAsync(db, key, cancellationToken));
        if (sheet is null)
        {
            return PortalRbErrors.NotFound($"Unit '{unit_id}' has no proposal for {year} in this agency.");
        }
        if (catalogue.SoalMaps.ForYear(year) is not { } map || !map.FrameworkCodes.Contains(sheet.FrameworkCode))
        {
            return PortalRbErrors.Of(StatusCodes.Status500InternalServerError,
                $"No PortalRB question list for {year} maps onto framework {sheet.FrameworkCode}; add one under db/frameworks/portalrb.");
        }

        var origin = options.Value.PublicBaseUrl is { Length: > 0 } configured ? configured : $"{http.Request.Scheme}://{http.Request.Host}";
        var expires = links.ExpiryFromNow();
        var body = UnitAnswersJson.Write(unitId!.Value.ToString("D"), sheet, year, map, json.Value.SerializerOptions,
            itemCode => links.ItemPage(origin, sheet.AssessmentId, itemCode, expires));
        return TypedResults.Bytes(body, "application/json; charset=utf-8");
    }

    private static async Task<int> EvaluationYear(DbConnectionFactory db, ProposalOptions proposals, Guid agencyId, DateOnly today, CancellationToken cancellationToken)
    {
        await using var connection = await db.OpenAsync(cancellationToken);
        return await EvaluationYear(connection, proposals, agencyId, today);
    }

    /// <summary>
    /// The evaluation year PortalRB is collecting: the latest year whose proposal window is open today (a window set for the
    /// year, or the default deadline of the current year), else the latest year with proposals in the agency, else this year.
    /// </summary>
    internal static async Task<int> EvaluationYear(DbConnection connection, ProposalOptions proposals, Guid agencyId, DateOnly today)
    {
        var configured = await ProposalWindows.AllConfigured(connection);
        var open = configured.Values.Where(w => w.Contains(today)).Select(w => w.Year)
            .Concat(ProposalWindows.Effective(configured, proposals, today.Year).Contains(today) ? [today.Year] : [])
            .ToList();
        if (open.Count > 0)
        {
            return open.Max();
        }
        const string sql = "SELECT MAX(year) FROM assessments WHERE agency_id = @AgencyId AND status IN @Statuses";
        return await connection.ExecuteScalarAsync<int?>(sql, new { AgencyId = agencyId, Statuses = ProposedStatuses }) ?? today.Year;
    }

    /// <summary>The agency answered for: a portalrb key's own; admin names one.</summary>
    private static Guid? Scope(Caller caller, PullQuery query) => caller.Role == Roles.PortalRb ? caller.AgencyId : query.AgencyId;

    private static readonly JsonHttpResult<PortalRbError> AgencyRequired =
        PortalRbErrors.Invalid("An admin key answers for no agency of its own: name one with ?agencyId=.");

    private static JsonHttpResult<PortalRbError>? InvalidYear(int? year) =>
        year is < 2000 or > 2200 ? PortalRbErrors.Invalid("tahun must be a year between 2000 and 2200.") : null;

    private sealed class UnitRow
    {
        public Guid Id { get; init; }
        public string Name { get; init; } = "";
        public bool Afirmasi { get; init; }
    }
}
