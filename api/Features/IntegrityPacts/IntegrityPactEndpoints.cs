using FromQueryAttribute = Microsoft.AspNetCore.Mvc.FromQueryAttribute;
using FluentValidation;
using Microsoft.AspNetCore.Http.Json;
using ZonaIntegritas.Api.Features.Audit;
using ZonaIntegritas.Api.Features.Units;

namespace ZonaIntegritas.Api.Features.IntegrityPacts;

public sealed record PactListQuery([FromQuery(Name = "year")] int? Year, [FromQuery(Name = "page")] int? Page, [FromQuery(Name = "pageSize")] int? PageSize) : IPagedQuery;

public sealed class PactListQueryValidator : PagedQueryValidator<PactListQuery>
{
    public PactListQueryValidator()
    {
        RuleFor(q => q.Year).ValidYear();
    }
}

public static class IntegrityPactEndpoints
{
    public const int MaximumPactsPerRequest = PactImport.MaximumPactsPerRequest;
    private const string Columns = "id, unit_id, nip, name, position, role, occasion, signed_on, document_url, created_at, created_by";

    public static RouteGroupBuilder MapIntegrityPacts(this RouteGroupBuilder api)
    {
        var group = api.MapGroup("/units/{unitId:guid}/integrity-pacts").WithTags("Integrity pacts (pakta integritas)");

        group.MapPost("/", RecordPacts).RequireAuthorization(Policies.RecordPacts)
            .WithMetadata(new BulkImportBody())
            .Accepts<PactSubmission>("application/json", "text/csv")
            .WithName(nameof(RecordPacts))
            .WithSummary("Record signed integrity pacts (one, a batch of up to 5,000, or a CSV file)")
            .WithDescription("""
                Admin, the agency's inspectorate, or the unit's own key. JSON: one pact's fields at the top level, or `{"pacts": [...]}`.
                CSV (`text/csv`, UTF-8, header row): columns nip, name, position, role, occasion, signedOn (yyyy-MM-dd), documentUrl (optional).
                `role`: pimpinan | pejabat | pegawai; `occasion`: pencanangan | pelantikan | mutasi | tahunan.
                All or nothing: every invalid row is reported by index (`pacts[12].nip`) and nothing is written.
                An employee signs once per unit, occasion and year: a row identical to a pact on file is accepted and ignored
                (counted in `alreadyRecorded`, so retried uploads are harmless); a row that differs from it is a 409 listing every such row.
                201 when at least one pact was created, 200 when every row was already on file.
                """)
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType);
        group.MapGet("/", ListPacts).WithValidation()
            .WithName(nameof(ListPacts))
            .WithSummary("List a unit's integrity pacts; CSV with Accept: text/csv, .xlsx with the spreadsheet type")
            .WithDescription("Filter by `year` of signing. Newest first. The page also comes as CSV (UTF-8 with BOM; `delimiter=semicolon`) or .xlsx, with the CSV upload's columns.")
            .Produces<Page<IntegrityPact>>(StatusCodes.Status200OK, "application/json", "text/csv", SpreadsheetTable.ContentType)
            .ProducesProblem(StatusCodes.Status404NotFound);
        return api;
    }

    public static async Task<Results<Created<PactImportResult>, Ok<PactImportResult>, ValidationProblem, ProblemHttpResult>> RecordPacts(
        Guid unitId, HttpRequest httpRequest, Caller caller, DbConnectionFactory db, IValidator<PactRequest> validator,
        IOptions<JsonOptions> jsonOptions, TimeProvider time, CancellationToken cancellationToken)
    {
        await using var connection = await db.OpenAsync(cancellationToken);
        var unit = await UnitQueries.Find(connection, unitId);
        if (unit is null || !caller.CanSeeUnit(unit.Id, unit.AgencyId) || !caller.CanWriteForUnit(unit.Id, unit.AgencyId))
        {
            return Problems.NotFound("Unit", unitId);
        }

        var read = await PactImport.ReadAsync(httpRequest, jsonOptions.Value.SerializerOptions, cancellationToken);
        if (read.Problem is not null)
        {
            return read.Problem;
        }
        if (read.Rows is null)
        {
            return Problems.Invalid(read.Errors!);
        }
        var rows = read.Rows;
        var errors = await PactImport.ErrorsAsync(read, rows, validator, cancellationToken);
        if (errors.Count > 0)
        {
            return Problems.Invalid(errors);
        }

        var now = time.GetUtcNow();
        var candidates = rows.Select(r => new IntegrityPact
        {
            Id = Guid.NewGuid(),
            UnitId = unitId,
            Nip = r!.Nip!,
            Name = r.Name!,
            Position = r.Position!,
            Role = r.Role!,
            Occasion = r.Occasion!,
            SignedOn = r.SignedOn!.Value,
            DocumentUrl = r.DocumentUrl,
            CreatedAt = now,
            CreatedBy = caller.KeyId,
        }).ToList();

        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var outcome = await Classify(connection, transaction, unitId, candidates);
        if (outcome.Conflicts.Count > 0)
        {
            return Conflict(outcome.Conflicts);
        }
        if (await InsertAsync(connection, transaction, db.Dialect, caller, unit, candidates, outcome, cancellationToken) is { } refused)
        {
            return refused;
        }
        var result = new PactImportResult(outcome.New.Count, candidates.Count - outcome.New.Count, outcome.New);
        return outcome.New.Count > 0
            ? TypedResults.Created($"/api/v1/units/{unitId}/integrity-pacts", result)
            : TypedResults.Ok(result);
    }

    public static async Task<Results<Ok<Page<IntegrityPact>>, FileContentHttpResult, ValidationProblem, ProblemHttpResult>> ListPacts(
        Guid unitId, HttpRequest request, Caller caller, DbConnectionFactory db, [AsParameters] PactListQuery query, CancellationToken cancellationToken)
    {
        var paging = ((IPagedQuery)query).Paging;
        await using var connection = await db.OpenAsync(cancellationToken);
        var unit = await UnitQueries.Find(connection, unitId);
        if (unit is null || !caller.CanSeeUnit(unit.Id, unit.AgencyId))
        {
            return Problems.NotFound("Unit", unitId);
        }
        var filter = new { UnitId = unitId, Year = query.Year };
        const string where = "WHERE unit_id = @UnitId AND (@Year IS NULL OR signed_year = @Year)";
        const string count = $"SELECT COUNT(*) FROM integrity_pacts {where}";
        const string select = $"""
            SELECT {Columns} FROM integrity_pacts
            {where}
            ORDER BY signed_on DESC, nip, occasion
            """;
        var pacts = await connection.QueryPageAsync<IntegrityPact>(db.Dialect, count, select, filter, paging);
        if (CsvText.Wanted(request))
        {
            // The upload's columns, so an exported page can be edited and sent back.
            return CsvText.Bytes(request, "Pakta integritas", PactImport.CsvColumns,
                pacts.Items.Select(p => new object?[] { p.Nip, p.Name, p.Position, p.Role, p.Occasion, p.SignedOn, p.DocumentUrl }));
        }
        return TypedResults.Ok(pacts);
    }

    /// <summary>Inserts the new pacts with one audit summary; a concurrent upload that won a unique key is reported as a conflict.</summary>
    private static Task<ProblemHttpResult?> InsertAsync(DbConnection connection, DbTransaction transaction, ISqlDialect dialect, Caller caller,
        WorkUnit unit, List<IntegrityPact> candidates, Classification outcome, CancellationToken cancellationToken)
    {
        const string insert = $"""
            INSERT INTO integrity_pacts ({Columns}, signed_year)
            VALUES (@Id, @UnitId, @Nip, @Name, @Position, @Role, @Occasion, @SignedOn, @DocumentUrl, @CreatedAt, @CreatedBy, @SignedYear)
            """;
        return transaction.CommitOrConflictAsync(dialect, async () =>
        {
            await connection.ExecuteAsync(insert, outcome.New.Select(p => new
            {
                p.Id, p.UnitId, p.Nip, p.Name, p.Position, p.Role, p.Occasion, p.SignedOn, p.DocumentUrl, p.CreatedAt, p.CreatedBy,
                SignedYear = p.SignedOn.Year,
            }), transaction);
            if (outcome.New.Count > 0)
            {
                // A summary rather than up to 5,000 rows: the pacts themselves are the record, and they keep who created them.
                await connection.AuditAsync(transaction, caller, new AuditChange("integrity_pacts.recorded", "unit", unit.Id.ToString(), unit.AgencyId, unit.Id, new
                {
                    Recorded = outcome.New.Count,
                    AlreadyRecorded = candidates.Count - outcome.New.Count,
                    Years = outcome.New.Select(p => p.SignedOn.Year).Distinct().Order(),
                    FirstPactId = outcome.New[0].Id,
                }));
            }
        }, async () =>
        {
            var retry = await Classify(connection, null, unit.Id, candidates);
            return retry.Conflicts.Count > 0
                ? Conflict(retry.Conflicts)
                : Problems.Conflict("Some of these pacts were recorded by a concurrent request; send the upload again to have them counted as already recorded.");
        }, cancellationToken);
    }

    private sealed record PactConflict(int Index, string Nip, string Occasion, int Year, Guid ExistingPactId);

    private sealed record Classification(List<IntegrityPact> New, List<PactConflict> Conflicts);

    /// <summary>Splits the upload into new pacts, rows identical to a pact on file (ignored) and rows that contradict one.</summary>
    private const int LookupByNipUpTo = 100;

    private static async Task<Classification> Classify(DbConnection connection, DbTransaction? transaction, Guid unitId, List<IntegrityPact> candidates)
    {
        // A few rows are looked up by NIP (an index seek each); a large upload reads the unit's pacts of its years instead,
        // which keeps the parameter count small for 5,000 rows.
        const string byNip = $"SELECT {Columns} FROM integrity_pacts WHERE unit_id = @UnitId AND nip IN @Nips";
        const string byYear = $"SELECT {Columns} FROM integrity_pacts WHERE unit_id = @UnitId AND signed_year IN @Years";
        var years = candidates.Select(c => c.SignedOn.Year).Distinct().ToArray();
        var nips = candidates.Select(c => c.Nip).Distinct().ToArray();
        var (sql, parameters) = nips.Length <= LookupByNipUpTo ? (byNip, (object)new { UnitId = unitId, Nips = nips }) : (byYear, new { UnitId = unitId, Years = years });
        var existing = (await connection.QueryAsync<IntegrityPact>(sql, parameters, transaction))
            .Where(p => years.Contains(p.SignedOn.Year))
            .ToDictionary(p => (p.Nip, p.Occasion, p.SignedOn.Year));
        var fresh = new List<IntegrityPact>(candidates.Count);
        var conflicts = new List<PactConflict>();
        for (var i = 0; i < candidates.Count; i++)
        {
            var candidate = candidates[i];
            if (!existing.TryGetValue((candidate.Nip, candidate.Occasion, candidate.SignedOn.Year), out var onFile))
            {
                fresh.Add(candidate);
            }
            else if (!SameSignature(candidate, onFile))
            {
                conflicts.Add(new PactConflict(i, candidate.Nip, candidate.Occasion, candidate.SignedOn.Year, onFile.Id));
            }
        }
        return new Classification(fresh, conflicts);
    }

    private static bool SameSignature(IntegrityPact a, IntegrityPact b) =>
        a.Name == b.Name && a.Position == b.Position && a.Role == b.Role && a.SignedOn == b.SignedOn && a.DocumentUrl == b.DocumentUrl;

    private static ProblemHttpResult Conflict(List<PactConflict> conflicts)
    {
        var first = conflicts[0];
        return Problems.Conflict(
            $"pacts[{first.Index}]: NIP {first.Nip} already signed a different pact for '{first.Occasion}' in {first.Year} in this unit (pact '{first.ExistingPactId}')"
            + (conflicts.Count > 1 ? $"; {conflicts.Count - 1} more row(s) conflict likewise." : "."),
            new Dictionary<string, object?> { ["conflicts"] = conflicts });
    }
}
