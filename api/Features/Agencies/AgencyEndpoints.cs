using Microsoft.AspNetCore.Mvc;
using FluentValidation;
using ZonaIntegritas.Api.Features.Audit;

namespace ZonaIntegritas.Api.Features.Agencies;

public sealed record Agency
{
    public Guid Id { get; init; }
    public string Code { get; init; } = "";
    public string Name { get; init; } = "";
    [Vocabulary(typeof(AgencyRequestValidator), nameof(AgencyRequestValidator.Kinds))]
    public string Kind { get; init; } = "";
    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset UpdatedAt { get; init; }
}

public sealed record AgencyRequest(string? Code, string? Name, string? Kind) : IHasExample<AgencyRequest>
{
    public static AgencyRequest Example => new("KEMENPUPR", "Kementerian Pekerjaan Umum dan Perumahan Rakyat", "kementerian");
}

public sealed class AgencyRequestValidator : AbstractValidator<AgencyRequest>
{
    public static readonly string[] Kinds = ["kementerian", "lembaga", "pemda", "other"];

    public AgencyRequestValidator()
    {
        // Rules apply to the value as stored (NormalizedText), so a full-width code is the code it looks like.
        RuleFor(r => NormalizedText.Of(r.Code)).NotEmpty().MaximumLength(50).Matches("^[A-Za-z0-9._-]+$")
            .WithMessage("code may contain only letters, digits, '.', '_' and '-'.").OverridePropertyName("Code");
        RuleFor(r => NormalizedText.Of(r.Name)).NotEmpty().MaximumLength(300).OverridePropertyName("Name");
        RuleFor(r => r.Kind).NotEmpty().OneOf(Kinds)
            .WithMessage($"kind must be one of: {string.Join(", ", Kinds)}.");
    }
}

public sealed record AgencyListQuery([FromQuery(Name = "page")] int? Page, [FromQuery(Name = "pageSize")] int? PageSize) : IPagedQuery;

public sealed class AgencyListQueryValidator : PagedQueryValidator<AgencyListQuery>;

public static class AgencyEndpoints
{
    public static RouteGroupBuilder MapAgencies(this RouteGroupBuilder api)
    {
        var group = api.MapGroup("/agencies").WithTags("Agencies").WithValidation();

        group.MapPost("/", CreateAgency).RequireAuthorization(Policies.Admin)
            .WithName(nameof(CreateAgency))
            .WithSummary("Register an agency (instansi)")
            .WithDescription("Admin only. `code` is unique across agencies (case-insensitive); `kind` is kementerian, lembaga, pemda or other.")
            .ProducesProblem(StatusCodes.Status409Conflict);
        group.MapGet("/", ListAgencies)
            .WithName(nameof(ListAgencies))
            .WithSummary("List the agencies this key may see")
            .WithDescription("National keys (admin, evaluator, national reader) see every agency; other keys see only their own. Sorted by code.");
        group.MapGet("/{id:guid}", GetAgency)
            .WithName(nameof(GetAgency))
            .WithSummary("Read one agency")
            .ProducesProblem(StatusCodes.Status404NotFound);
        group.MapPut("/{id:guid}", UpdateAgency).RequireAuthorization(Policies.Admin)
            .WithName(nameof(UpdateAgency))
            .WithSummary("Change an agency's code, name or kind")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);
        return api;
    }

    public static async Task<Results<Created<Agency>, ValidationProblem, ProblemHttpResult>> CreateAgency(
        AgencyRequest request, Caller caller, DbConnectionFactory db, TimeProvider time, CancellationToken cancellationToken)
    {
        request = request with { Code = NormalizedText.Of(request.Code), Name = NormalizedText.Of(request.Name) };
        var now = time.GetUtcNow();
        var agency = new Agency { Id = Guid.NewGuid(), Code = request.Code!, Name = request.Name!, Kind = request.Kind!, CreatedAt = now, UpdatedAt = now };
        const string sql = """
            INSERT INTO agencies (id, code, name, kind, created_at, updated_at)
            VALUES (@Id, @Code, @Name, @Kind, @CreatedAt, @UpdatedAt)
            """;
        await using var connection = await db.OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var conflict = await transaction.CommitOrConflictAsync(db.Dialect, async () =>
        {
            await connection.ExecuteAsync(sql, agency, transaction);
            await connection.AuditAsync(transaction, caller, new AuditChange("agency.created", "agency", agency.Id.ToString(), agency.Id,
                Changes: new { agency.Code, agency.Name, agency.Kind }));
        }, () => CodeConflict(connection, agency.Code), cancellationToken);
        return conflict is null ? TypedResults.Created($"/api/v1/agencies/{agency.Id}", agency) : conflict;
    }

    public static async Task<Results<Ok<Page<Agency>>, ValidationProblem>> ListAgencies(
        Caller caller, DbConnectionFactory db, [AsParameters] AgencyListQuery query, CancellationToken cancellationToken)
    {
        var paging = ((IPagedQuery)query).Paging;
        var filter = new { OnlyId = caller.ScopeAgencyId };
        var (count, select) = ListSql(filter.OnlyId is not null);
        await using var connection = await db.OpenAsync(cancellationToken);
        return TypedResults.Ok(await connection.QueryPageAsync<Agency>(db.Dialect, count, select, filter, paging));
    }

    /// <summary>Every agency, or (for an agency's key) only its own: one statement each.</summary>
    internal static (string Count, string Select) ListSql(bool onlyOne)
    {
        const string select = """
            SELECT id, code, name, kind, created_at, updated_at
            FROM agencies
            """;
        var where = new SqlWhere().When(onlyOne, "id = @OnlyId");
        return ("SELECT COUNT(*) FROM agencies" + where, select + where + " ORDER BY code, id");
    }

    public static async Task<Results<Ok<Agency>, ProblemHttpResult>> GetAgency(
        Guid id, Caller caller, DbConnectionFactory db, CancellationToken cancellationToken)
    {
        await using var connection = await db.OpenAsync(cancellationToken);
        var agency = await AgencyQueries.Find(connection, id);
        return agency is not null && caller.CanSeeAgency(id) ? TypedResults.Ok(agency) : Problems.NotFound("Agency", id);
    }

    public static async Task<Results<Ok<Agency>, ValidationProblem, ProblemHttpResult>> UpdateAgency(
        Guid id, AgencyRequest request, Caller caller, DbConnectionFactory db, TimeProvider time, CancellationToken cancellationToken)
    {
        const string sql = """
            UPDATE agencies SET code = @Code, name = @Name, kind = @Kind, updated_at = @UpdatedAt WHERE id = @Id
            """;
        request = request with { Code = NormalizedText.Of(request.Code), Name = NormalizedText.Of(request.Name) };
        await using var connection = await db.OpenAsync(cancellationToken);
        await using (var transaction = await connection.BeginTransactionAsync(cancellationToken))
        {
            if (await AgencyQueries.Find(connection, id, transaction) is not { } before)
            {
                return Problems.NotFound("Agency", id);
            }
            var conflict = await transaction.CommitOrConflictAsync(db.Dialect, async () =>
            {
                await connection.ExecuteAsync(sql, new { Id = id, request.Code, request.Name, request.Kind, UpdatedAt = time.GetUtcNow() }, transaction);
                await connection.AuditAsync(transaction, caller, new AuditChange("agency.updated", "agency", id.ToString(), id,
                    Changes: AuditTrail.Diff(("code", before.Code, request.Code), ("name", before.Name, request.Name), ("kind", before.Kind, request.Kind))));
            }, () => CodeConflict(connection, request.Code!), cancellationToken);
            if (conflict is not null)
            {
                return conflict;
            }
        }
        return TypedResults.Ok((await AgencyQueries.Find(connection, id))!);
    }

    private static async Task<ProblemHttpResult> CodeConflict(DbConnection connection, string code)
    {
        const string sql = "SELECT id FROM agencies WHERE code = @Code";
        var existing = await connection.ExecuteScalarAsync<Guid?>(sql, new { Code = code });
        return Problems.Conflict($"An agency with code '{code}' already exists ({existing}).", new Dictionary<string, object?> { ["existingAgencyId"] = existing });
    }
}
