using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;
using Microsoft.OpenApi;
using ZonaIntegritas.Api.Auth;
using ZonaIntegritas.Api.Data;
using ZonaIntegritas.Api.Features.Assessments;
using ZonaIntegritas.Api.Features.Frameworks;
using ZonaIntegritas.Api.Features.PortalRb;
using ZonaIntegritas.Api.Http;
using ZonaIntegritas.Api.Http.OpenApi;

namespace ZonaIntegritas.Api.Features.Workbook;

/// <summary>The LKE workbook in PortalRB's Jawaban layout: export with live formulas, import of one layer's answers.</summary>
public static class WorkbookEndpoints
{
    public const string MultipartType = "multipart/form-data";
    private static readonly ConcurrentDictionary<(string Framework, int Year), WorkbookLayout> Layouts = new();

    public static RouteGroupBuilder MapWorkbook(this RouteGroupBuilder api)
    {
        api.MapGet("/assessments/{id:guid}/workbook", GetWorkbook)
            .WithTags("Assessments (LKE)")
            .WithName(nameof(GetWorkbook))
            .WithSummary("The LKE workbook (.xlsx) of an assessment, with live formulas that reproduce its scores")
            .WithDescription("""
                Sheet `Jawaban` in PortalRB's layout: a row per catalogue element (component part, sub-indicator, item) with code, text,
                weight, answer type and option texts in A–G; each question on its PortalRB `excelRow`; the self layer in K (answer),
                L (note), M (evidence: the signed PortalRB evidence page where the item has evidence, else the file names); the TPI
                layer in N (answer) and Q (note). H and I hold each item's value (0–1) per layer, R and S each sub-indicator's
                AVERAGE × weight, as live formulas with cached values; sheet `Ringkasan` sums areas, pengungkit, hasil and total and
                checks every WBK and WBBM rule per layer. Answer cells carry drop-down lists and number ranges; the structure is
                protected, the answer columns are not. See docs/workbook.md.
                """)
            .Produces(StatusCodes.Status200OK, contentType: WorkbookWriter.ContentType)
            .AddOpenApiOperationTransformer((operation, _, _) =>
            {
                if (operation.Responses?.TryGetValue("200", out var ok) == true && ok is OpenApiResponse response)
                {
                    response.Description = "The workbook, as an attachment named LKE-{unitCode}-{year}.xlsx.";
                    response.Content = new Dictionary<string, OpenApiMediaType>
                    {
                        [WorkbookWriter.ContentType] = new() { Schema = new OpenApiSchema { Type = JsonSchemaType.String, Format = "binary" } },
                    };
                    response.Headers ??= new Dictionary<string, IOpenApiHeader>();
                    response.Headers["Content-Disposition"] = new OpenApiHeader { Description = "`attachment` with the file name.", Schema = new OpenApiSchema { Type = JsonSchemaType.String } };
                }
                return Task.CompletedTask;
            })
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status422UnprocessableEntity);

        // The same PUT as the JSON answers, chosen by Content-Type; documented on that operation (Http/OpenApi/WorkbookImportBody).
        api.MapPut("/assessments/{id:guid}/answers/{layer}", PutWorkbookAnswers)
            .WithTags("Assessments (LKE)")
            .RequireAuthorization(Policies.WriteAnswers)
            .WithMetadata(new BulkImportBody())
            .Accepts<IFormFile>(WorkbookWriter.ContentType, MultipartType)
            .ExcludeFromDescription();
        return api;
    }

    public static async Task<Results<FileContentHttpResult, ProblemHttpResult>> GetWorkbook(
        Guid id, Caller caller, DbConnectionFactory db, FrameworkCatalogue catalogue, EvidenceLinks links, IOptions<PortalRbOptions> options,
        HttpRequest request, TimeProvider time, CancellationToken cancellationToken)
    {
        await using var connection = await db.OpenAsync(cancellationToken);
        if (await AssessmentQueries.FindVisible(connection, caller, id) is not { } assessment)
        {
            return Problems.NotFound("Assessment", id);
        }
        if (Layout(catalogue, assessment) is not { } layout)
        {
            return NoLayout(assessment);
        }
        var origin = options.Value.PublicBaseUrl is { Length: > 0 } configured ? configured : $"{request.Scheme}://{request.Host}";
        var data = await WorkbookQueries.Load(connection, assessment, catalogue.SoalMaps.ForYear(assessment.Year), links, origin, time.GetUtcNow());
        using var file = new MemoryStream();
        WorkbookWriter.Write(layout, data, file);
        var name = $"LKE-{string.Concat(data.UnitCode.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' ? c : '_'))}-{assessment.Year}.xlsx";
        return TypedResults.File(file.ToArray(), WorkbookWriter.ContentType, name);
    }

    public static async Task<Results<Ok<AnswerSheet>, ValidationProblem, ProblemHttpResult>> PutWorkbookAnswers(
        Guid id, string layer, HttpRequest request, Caller caller, DbConnectionFactory db, FrameworkCatalogue catalogue, TimeProvider time,
        CancellationToken cancellationToken)
    {
        if (WorkbookLayout.Columns(layer) is not { } columns)
        {
            return Problems.Invalid("layer", $"The workbook carries the self (K/L) and tpi (N/Q) layers; got '{layer}'.");
        }
        Assessment? assessment;
        await using (var connection = await db.OpenAsync(cancellationToken))
        {
            assessment = await AssessmentQueries.FindVisible(connection, caller, id);
        }
        if (assessment is null)
        {
            return Problems.NotFound("Assessment", id);
        }
        if (!Layers.MayWrite(caller.Role, layer))
        {
            return Problems.Forbidden($"An API key with role '{caller.Role}' may not write the '{layer}' layer.");
        }
        if (Layout(catalogue, assessment) is not { } layout)
        {
            return NoLayout(assessment);
        }
        using var file = new MemoryStream();
        if (await ReadBody(request, file, cancellationToken) is { } bodyProblem)
        {
            return bodyProblem;
        }
        var sheet = WorkbookReader.Read(file, WorkbookLayout.Sheet, new HashSet<string> { WorkbookLayout.CodeColumn, WorkbookLayout.TextColumn, columns.Answer, columns.Note });
        if (sheet.Problem is { } problem)
        {
            return sheet.Status == StatusCodes.Status400BadRequest ? Problems.Invalid("file", problem) : TypedResults.Problem(statusCode: sheet.Status, detail: problem);
        }
        if (WorkbookImport.LayoutProblem(layout, sheet, columns.Answer, columns.Note) is { } layoutProblem)
        {
            return Problems.Invalid("file", layoutProblem);
        }
        var (answers, errors) = WorkbookImport.Answers(layout, sheet, columns.Answer, columns.Note);
        if (errors.Count > 0)
        {
            return Problems.Invalid(errors);
        }
        if (answers.Count == 0)
        {
            return Problems.Invalid("file", $"Sheet {WorkbookLayout.Sheet} has no answers in column {columns.Answer} (the '{layer}' layer).");
        }
        var inputs = answers.Select(a => (Field: a.Cell, Input: (AnswerInput?)new AnswerInput(a.ItemCode, JsonSerializer.SerializeToElement(a.Value), a.Note))).ToList();
        return await AnswerStore.Write(id, layer, caller, db, catalogue, time, inputs, cancellationToken);
    }

    /// <summary>The .xlsx bytes, sent as the body or as the multipart part <c>file</c>.</summary>
    private static async Task<ProblemHttpResult?> ReadBody(HttpRequest request, MemoryStream file, CancellationToken cancellationToken)
    {
        var isMultipart = MediaTypeHeaderValue.TryParse(request.ContentType, out var type) && type.MediaType.Equals(MultipartType, StringComparison.OrdinalIgnoreCase);
        if (!isMultipart)
        {
            await request.Body.CopyToAsync(file, cancellationToken);
        }
        else
        {
            IFormCollection form;
            try
            {
                form = await request.ReadFormAsync(cancellationToken);
            }
            catch (Exception e) when (e is InvalidDataException or (IOException and not BadHttpRequestException))
            {
                return TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Bad Request", detail: "The multipart body is malformed or was cut off.");
            }
            if (form.Files.GetFile("file") is not { } part)
            {
                return TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Bad Request",
                    detail: "The multipart body has no part named 'file' holding the .xlsx workbook.");
            }
            await using var stream = part.OpenReadStream();
            await stream.CopyToAsync(file, cancellationToken);
        }
        file.Position = 0;
        return null;
    }

    internal static WorkbookLayout? Layout(FrameworkCatalogue catalogue, Assessment assessment)
    {
        if (!catalogue.TryGet(assessment.FrameworkCode, out var framework) || catalogue.SoalMaps.ForYear(assessment.Year) is not { } map
            || !map.FrameworkCodes.Contains(framework.Code))
        {
            return null;
        }
        return Layouts.GetOrAdd((framework.Code, map.Year), _ => new WorkbookLayout(framework, map));
    }

    private static ProblemHttpResult NoLayout(Assessment assessment) => Problems.Unprocessable(
        $"No PortalRB question list maps framework {assessment.FrameworkCode} for {assessment.Year}, so it has no workbook layout.");
}
