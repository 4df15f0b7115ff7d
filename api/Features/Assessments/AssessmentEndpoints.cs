using Microsoft.AspNetCore.Mvc;
using FluentValidation;
using ZonaIntegritas.Api.Features.Audit;
using ZonaIntegritas.Api.Features.Frameworks;
using ZonaIntegritas.Api.Features.Units;

namespace ZonaIntegritas.Api.Features.Assessments;

public sealed record Assessment
{
    public Guid Id { get; init; }
    public Guid UnitId { get; init; }
    public Guid AgencyId { get; init; }
    public int Year { get; init; }
    [Vocabulary(typeof(CreateAssessmentRequestValidator), nameof(CreateAssessmentRequestValidator.Targets))]
    public string Target { get; init; } = "";
    public string FrameworkCode { get; init; } = "";
    [Vocabulary(typeof(AssessmentStatus), nameof(AssessmentStatus.All))]
    public string Status { get; init; } = "";
    /// <summary>Proposed as an affirmative-action unit (set by propose).</summary>
    public bool Afirmasi { get; init; }
    public DateTimeOffset CreatedAt { get; init; }
    public Guid CreatedBy { get; init; }
    public DateTimeOffset UpdatedAt { get; init; }
}

public sealed record CreateAssessmentRequest(Guid? UnitId, int? Year, string? Target, string? FrameworkCode) : IHasExample<CreateAssessmentRequest>
{
    public static CreateAssessmentRequest Example => new(Guid.Parse("8a1d2e3f-4b5c-4d6e-8f70-9a0b1c2d3e4f"), 2027, Predikat.Wbk, null);
}

public sealed class CreateAssessmentRequestValidator : AbstractValidator<CreateAssessmentRequest>
{
    public static readonly string[] Targets = Predikat.All;

    public CreateAssessmentRequestValidator(FrameworkCatalogue catalogue)
    {
        RuleFor(r => r.UnitId).NotEmpty();
        RuleFor(r => r.Year).NotNull().InclusiveBetween(2015, 2100);
        RuleFor(r => r.Target).NotEmpty().OneOf(Targets).WithMessage("target must be WBK or WBBM.");
        RuleFor(r => r.FrameworkCode).Must(code => catalogue.TryGet(code!, out _))
            .When(r => r.FrameworkCode is not null)
            .WithMessage(r => $"Framework '{r.FrameworkCode}' is not known; known frameworks: {string.Join(", ", catalogue.All.Select(f => f.Code))}.");
    }
}

public sealed record AssessmentListQuery([FromQuery(Name = "unitId")] Guid? UnitId, [FromQuery(Name = "agencyId")] Guid? AgencyId, [FromQuery(Name = "year")] int? Year, [FromQuery(Name = "page")] int? Page, [FromQuery(Name = "pageSize")] int? PageSize) : IPagedQuery;

public sealed class AssessmentListQueryValidator : PagedQueryValidator<AssessmentListQuery>;

public static class AssessmentEndpoints
{
    public const string DefaultFrameworkCode = "PERMENPANRB-90-2021";

    public static RouteGroupBuilder MapAssessments(this RouteGroupBuilder api)
    {
        var group = api.MapGroup("/assessments").WithTags("Assessments (LKE)").WithValidation();

        group.MapPost("/", CreateAssessment).RequireAuthorization(Policies.StartAssessments)
            .WithName(nameof(CreateAssessment))
            .WithSummary("Start a unit's LKE assessment for a year")
            .WithDescription("""
                Admin, the agency's inspectorate or the unit's own key. One assessment per unit and year (409 names the existing one).
                `target` is WBK or WBBM; `frameworkCode` defaults to PERMENPANRB-90-2021.
                """)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);
        group.MapGet("/", ListAssessments)
            .WithName(nameof(ListAssessments))
            .WithSummary("List assessments")
            .WithDescription("Filters: `unitId`, `agencyId`, `year`. Sorted by year (newest first), then unit.");
        group.MapGet("/{id:guid}", GetAssessment)
            .WithName(nameof(GetAssessment))
            .WithSummary("Read one assessment")
            .ProducesProblem(StatusCodes.Status404NotFound);
        return api;
    }

    public static async Task<Results<Created<Assessment>, ValidationProblem, ProblemHttpResult>> CreateAssessment(
        CreateAssessmentRequest request, Caller caller, DbConnectionFactory db, TimeProvider time, CancellationToken cancellationToken)
    {
        await using var connection = await db.OpenAsync(cancellationToken);
        var unit = await UnitQueries.Find(connection, request.UnitId!.Value);
        if (unit is null || !caller.CanSeeUnit(unit.Id, unit.AgencyId) || !caller.CanWriteForUnit(unit.Id, unit.AgencyId))
        {
            return Problems.Invalid("unitId", $"Unit '{request.UnitId}' does not exist.");
        }
        var now = time.GetUtcNow();
        var assessment = new Assessment
        {
            Id = Guid.NewGuid(),
            UnitId = unit.Id,
            AgencyId = unit.AgencyId,
            Year = request.Year!.Value,
            Target = request.Target!,
            FrameworkCode = request.FrameworkCode ?? DefaultFrameworkCode,
            Status = "draft",
            CreatedAt = now,
            CreatedBy = caller.KeyId,
            UpdatedAt = now,
        };
        const string sql = $"""
            INSERT INTO assessments ({AssessmentQueries.Columns})
            VALUES (@Id, @UnitId, @AgencyId, @Year, @Target, @FrameworkCode, @Status, @Afirmasi, @CreatedAt, @CreatedBy, @UpdatedAt)
            """;
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var conflict = await transaction.CommitOrConflictAsync(db.Dialect, async () =>
        {
            await connection.ExecuteAsync(sql, assessment, transaction);
            await connection.AuditAsync(transaction, caller, new AuditChange("assessment.created", "assessment", assessment.Id.ToString(), unit.AgencyId, unit.Id,
                new { assessment.Year, assessment.Target, assessment.FrameworkCode }));
        }, async () =>
        {
            const string existing = "SELECT id FROM assessments WHERE unit_id = @UnitId AND year = @Year";
            var existingId = await connection.ExecuteScalarAsync<Guid?>(existing, new { assessment.UnitId, assessment.Year });
            return Problems.Conflict($"Unit '{unit.Code}' already has an assessment for {assessment.Year} ({existingId}).",
                new Dictionary<string, object?> { ["existingAssessmentId"] = existingId });
        }, cancellationToken);
        if (conflict is not null)
        {
            return conflict;
        }
        return TypedResults.Created($"/api/v1/assessments/{assessment.Id}", assessment);
    }

    public static async Task<Results<Ok<Page<Assessment>>, ValidationProblem>> ListAssessments(
        Caller caller, DbConnectionFactory db, [AsParameters] AssessmentListQuery query, CancellationToken cancellationToken)
    {
        var paging = ((IPagedQuery)query).Paging;
        if (query.AgencyId is { } requested && !caller.CanSeeAgency(requested))
        {
            return TypedResults.Ok(new Page<Assessment>([], paging.Page, paging.PageSize, 0));
        }
        var filter = new
        {
            AgencyId = query.AgencyId ?? caller.ScopeAgencyId,
            UnitId = caller.ScopeUnitId ?? query.UnitId,
            RequestedUnitId = query.UnitId,
            Year = query.Year,
        };
        var (count, select) = ListSql(filter.AgencyId is not null, filter.UnitId is not null, filter.RequestedUnitId is not null, query.Year is not null);
        await using var connection = await db.OpenAsync(cancellationToken);
        return TypedResults.Ok(await connection.QueryPageAsync<Assessment>(db.Dialect, count, select, filter, paging));
    }

    /// <summary>The list's statement for the filters given (a unit key's own unit and a requested unit may differ: then nothing matches).</summary>
    internal static (string Count, string Select) ListSql(bool agency, bool unit, bool requestedUnit, bool year)
    {
        var where = new SqlWhere()
            .When(agency, "agency_id = @AgencyId")
            .When(unit, "unit_id = @UnitId")
            .When(requestedUnit, "unit_id = @RequestedUnitId")
            .When(year, "year = @Year");
        const string select = $"SELECT {AssessmentQueries.Columns} FROM assessments";
        return ("SELECT COUNT(*) FROM assessments" + where, select + where + " ORDER BY year DESC, unit_id, id");
    }

    public static async Task<Results<Ok<Assessment>, ProblemHttpResult>> GetAssessment(
        Guid id, Caller caller, DbConnectionFactory db, CancellationToken cancellationToken)
    {
        await using var connection = await db.OpenAsync(cancellationToken);
        var assessment = await AssessmentQueries.FindVisible(connection, caller, id);
        return assessment is not null ? TypedResults.Ok(assessment) : Problems.NotFound("Assessment", id);
    }
}
