using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace ZonaIntegritas.Api.Http.OpenApi;

/// <summary>
/// The workbook bodies of PUT …/answers/{layer}: the answers endpoint documents both, because OpenAPI allows one operation
/// per path and method, and the Workbook feature handles the .xlsx ones. Kept here so neither feature refers to the other.
/// </summary>
public static class WorkbookImportBody
{
    public static Task Describe(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        if (operation.RequestBody is not OpenApiRequestBody body)
        {
            return Task.CompletedTask;
        }
        body.Content ??= new Dictionary<string, OpenApiMediaType>();
        body.Content[SpreadsheetTable.ContentType] = new OpenApiMediaType { Schema = new OpenApiSchema { Type = JsonSchemaType.String, Format = "binary" } };
        body.Content["multipart/form-data"] = new OpenApiMediaType
        {
            Schema = new OpenApiSchema
            {
                Type = JsonSchemaType.Object,
                Required = new HashSet<string> { "file" },
                Properties = new Dictionary<string, IOpenApiSchema> { ["file"] = new OpenApiSchema { Type = JsonSchemaType.String, Format = "binary", Description = "The .xlsx workbook." } },
            },
            Encoding = new Dictionary<string, OpenApiEncoding> { ["file"] = new() { ContentType = SpreadsheetTable.ContentType } },
        };
        operation.Responses ??= new OpenApiResponses();
        operation.Responses.TryAdd("422", new OpenApiResponse
        {
            Description = "Unprocessable Content: the layer is locked by the assessment's status (only an admin may still change it).",
            Content = new Dictionary<string, OpenApiMediaType> { [ResponseRules.ProblemContentType] = new() { Schema = new OpenApiSchemaReference(ProblemSchema.Name, context.Document) } },
        });
        operation.Description += """


            **Workbook import**: send the LKE workbook (.xlsx, as the body with Content-Type
            `application/vnd.openxmlformats-officedocument.spreadsheetml.sheet`, or as the multipart part `file`) to set the self
            (columns K/L) or tpi (N/Q) answers of sheet Jawaban, all or nothing; errors name the cell (`Jawaban!K57`). Blank cells
            leave answers as they are. Layer tpn is not in the workbook (400). Not an .xlsx, or a macro-enabled one: 415; over the
            import limit, inflating past 64 MB or over 200,000 cells: 413.
            """;
        return Task.CompletedTask;
    }
}
