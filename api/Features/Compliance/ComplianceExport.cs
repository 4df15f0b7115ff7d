using System.Text;
using Dapper;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.Extensions.Options;
using Microsoft.OpenApi;
using ZonaIntegritas.Api.Auth;
using ZonaIntegritas.Api.Data;
using ZonaIntegritas.Api.Domain;
using ZonaIntegritas.Api.Features.Frameworks;
using ZonaIntegritas.Api.Features.Workflow;
using ZonaIntegritas.Api.Http;

namespace ZonaIntegritas.Api.Features.Compliance;

/// <summary>
/// Every unit in the caller's scope in one spreadsheet (the paged list stops at 200 rows a page). Documents are built 100
/// units at a time and written straight into a temporary file by the streaming writers, which is then sent: memory stays
/// flat however many units there are (tests/bench/compliance-export-rss.sh).
/// </summary>
public static class ComplianceExport
{
    private const int Batch = 100;

    public static RouteGroupBuilder MapComplianceExport(this RouteGroupBuilder api)
    {
        api.MapGet("/compliance/export", ExportCompliance)
            .WithTags("Compliance")
            .WithValidation()
            .WithName(nameof(ExportCompliance))
            .WithSummary("Every unit's compliance line in one .xlsx (default) or CSV file, streamed")
            .WithDescription("""
                The columns of the CSV of GET /compliance, for every unit the key may see (filters: `agencyId`, `year`), sorted by agency
                code then unit code. `.xlsx` unless `Accept: text/csv` (UTF-8 with BOM; `delimiter=semicolon` for Indonesian-locale Excel).
                Not cached: meant for an occasional download, not polling.
                """)
            .Produces(StatusCodes.Status200OK, contentType: SpreadsheetTable.ContentType, additionalContentTypes: "text/csv")
            .AddOpenApiOperationTransformer((operation, _, _) =>
            {
                operation.Responses ??= new OpenApiResponses();
                operation.Responses["200"] = new OpenApiResponse
                {
                    Description = "Every unit's line, as an attachment (kepatuhan-{date}.xlsx or .csv).",
                    Content = new Dictionary<string, OpenApiMediaType>
                    {
                        [SpreadsheetTable.ContentType] = new() { Schema = new OpenApiSchema { Type = JsonSchemaType.String, Format = "binary" } },
                        ["text/csv"] = new() { Schema = new OpenApiSchema { Type = JsonSchemaType.String, Description = "CSV, UTF-8 with a BOM, with a header row." } },
                    },
                    Headers = new Dictionary<string, IOpenApiHeader>
                    {
                        ["Content-Disposition"] = new OpenApiHeader { Description = "`attachment` with the file name.", Schema = new OpenApiSchema { Type = JsonSchemaType.String } },
                    },
                };
                operation.Parameters ??= [];
                operation.Parameters.Add(new OpenApiParameter
                {
                    Name = CsvText.DelimiterParameter,
                    In = ParameterLocation.Query,
                    Description = "CSV field separator: `comma` (default) or `semicolon` (for Excel in an Indonesian locale).",
                    Schema = new OpenApiSchema { Type = JsonSchemaType.String, Enum = CsvText.Delimiters.Select(d => (System.Text.Json.Nodes.JsonNode)System.Text.Json.Nodes.JsonValue.Create(d)!).ToList() },
                });
                return Task.CompletedTask;
            });
        return api;
    }

    public static async Task<Results<FileStreamHttpResult, ValidationProblem>> ExportCompliance(
        HttpRequest request, Caller caller, DbConnectionFactory db, FrameworkCatalogue catalogue, IOptions<ProposalOptions> proposals, TimeProvider time,
        [AsParameters] ComplianceExportQuery query, CancellationToken cancellationToken)
    {
        var year = query.Year;
        var today = IndonesiaClock.Today(time);
        var coverageYear = year ?? today.Year;
        var csv = request.GetTypedHeaders().Accept.Any(a => a.MediaType.Equals("text/csv", StringComparison.OrdinalIgnoreCase));
        await using var connection = await db.OpenAsync(cancellationToken);
        // The list's scope (ListCompliance): an agency the key may not see has no units for it.
        var ids = query.AgencyId is { } requested && !caller.CanSeeAgency(requested) ? []
            : await UnitIds(connection, query.AgencyId ?? caller.ScopeAgencyId, caller.ScopeUnitId);

        var path = Path.GetTempFileName();
        var file = new FileStream(path, FileMode.Create, FileAccess.ReadWrite, FileShare.None, 64 * 1024, FileOptions.DeleteOnClose);
        try
        {
            // The writers are synchronous; the batches are loaded on this worker thread (no synchronization context to block).
            await Task.Run(() =>
            {
                var rows = Rows(connection, db.Dialect, catalogue, proposals.Value, ids, coverageYear, year, today, cancellationToken);
                if (csv)
                {
                    using var text = new StreamWriter(file, new UTF8Encoding(encoderShouldEmitUTF8Identifier: true), 64 * 1024, leaveOpen: true);
                    CsvText.Write(text, ComplianceCsv.Header, rows, CsvText.Delimiter(request));
                }
                else
                {
                    SpreadsheetTable.Write(file, "Kepatuhan", ComplianceCsv.Header, rows);
                }
            }, cancellationToken);
        }
        catch
        {
            await file.DisposeAsync();
            throw;
        }
        file.Position = 0;
        var name = $"kepatuhan-{today:yyyy-MM-dd}.{(csv ? "csv" : "xlsx")}";
        return TypedResults.File(file, csv ? CsvText.ContentType : SpreadsheetTable.ContentType, name);
    }

    /// <summary>The units in scope, in the list's order: the unit key's own, an agency's by code, or all by agency and unit code.</summary>
    private static async Task<List<Guid>> UnitIds(System.Data.Common.DbConnection connection, Guid? agencyId, Guid? unitId)
    {
        if (unitId is { } own)
        {
            return [own];
        }
        if (agencyId is not null)
        {
            const string ofAgency = "SELECT id FROM units WHERE agency_id = @AgencyId ORDER BY code";
            return (await connection.QueryAsync<Guid>(ofAgency, new { AgencyId = agencyId })).AsList();
        }
        const string all = "SELECT u.id FROM units u JOIN agencies g ON g.id = u.agency_id ORDER BY g.code, u.code";
        return (await connection.QueryAsync<Guid>(all)).AsList();
    }

    private static IEnumerable<object?[]> Rows(System.Data.Common.DbConnection connection, ISqlDialect dialect, FrameworkCatalogue catalogue, ProposalOptions proposals,
        List<Guid> ids, int coverageYear, int? year, DateOnly today, CancellationToken cancellationToken)
    {
        for (var start = 0; start < ids.Count; start += Batch)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var batch = ids.GetRange(start, Math.Min(Batch, ids.Count - start));
            var filter = ComplianceQueries.RowFilter(today, coverageYear, year) with { Ids = dialect.IdList(batch) };
            var found = connection.QueryAsync<ComplianceQueries.ComplianceRow>(ComplianceQueries.RowsOfUnits, filter).GetAwaiter().GetResult().ToDictionary(r => r.UnitId);
            var rows = batch.Where(found.ContainsKey).Select(id => found[id]).ToList();
            var documents = ComplianceDocuments.BuildAll(connection, dialect, catalogue, proposals, rows, coverageYear, today).GetAwaiter().GetResult()
                .ToDictionary(d => d.UnitId);
            foreach (var row in rows)
            {
                yield return ComplianceCsv.Row(documents[row.UnitId], row.AgencyCode);
            }
        }
    }
}
