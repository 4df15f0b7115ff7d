using System.Text.Json.Nodes;
using Microsoft.OpenApi;

namespace ZonaIntegritas.Api.Http.OpenApi;

/// <summary>
/// The one error body of the API (RFC 9457, <c>application/problem+json</c>) with the extensions the handlers send
/// (see <see cref="Problems"/> and the handlers' <c>extensions</c>). Every 4xx response refers to it.
/// </summary>
public static class ProblemSchema
{
    public const string Name = "ProblemDetails";
    public const string ConflictName = "ProblemConflict";

    public static void Register(OpenApiDocument document)
    {
        document.Components ??= new OpenApiComponents();
        document.Components.Schemas ??= new Dictionary<string, IOpenApiSchema>();
        document.Components.Schemas[ConflictName] = new OpenApiSchema
        {
            Type = JsonSchemaType.Object,
            Description = "One thing a request collides with: a unit already declared (unitId, unitCode, declarationId, declaredOn) or a pact row that differs from one on file (index, nip, occasion, year, existingPactId).",
            Properties = new Dictionary<string, IOpenApiSchema>
            {
                ["unitId"] = Uuid("The unit already declared."),
                ["unitCode"] = Text("Its code."),
                ["declarationId"] = Uuid("The active declaration that holds it."),
                ["declaredOn"] = new OpenApiSchema { Type = JsonSchemaType.String, Format = "date" },
                ["index"] = new OpenApiSchema { Type = JsonSchemaType.Integer, Format = "int32", Description = "Position of the row in the request (0-based)." },
                ["nip"] = Text("NIP of the row."),
                ["occasion"] = Text("Occasion of the row."),
                ["year"] = new OpenApiSchema { Type = JsonSchemaType.Integer, Format = "int32", Description = "Signing year." },
                ["existingPactId"] = Uuid("The different pact already on file."),
            },
        };
        document.Components.Schemas[Name] = new OpenApiSchema
        {
            Type = JsonSchemaType.Object,
            Description = "An error (RFC 9457). `errors` names each refused field by its JSON path; the other extensions appear where the detail mentions them.",
            Required = new SortedSet<string>(["status", "title", "traceId"], StringComparer.Ordinal),
            Properties = new Dictionary<string, IOpenApiSchema>
            {
                ["type"] = new OpenApiSchema { Type = JsonSchemaType.String, Format = "uri-reference", Description = "A URI reference that identifies the problem type." },
                ["title"] = Text("A short summary of the problem type."),
                ["status"] = new OpenApiSchema { Type = JsonSchemaType.Integer, Format = "int32", Description = "The HTTP status code.", Examples = [JsonValue.Create(400)!] },
                ["detail"] = Text("What went wrong with this request, naming the thing concerned."),
                ["instance"] = Text("The request path."),
                ["traceId"] = Text("The request id, also in the audit trail and the logs; quote it when asking for help."),
                ["errors"] = new OpenApiSchema
                {
                    Type = JsonSchemaType.Object,
                    Description = "Validation errors keyed by the JSON path of the field (`units[3].head.nip`).",
                    AdditionalProperties = new OpenApiSchema { Type = JsonSchemaType.Array, Items = new OpenApiSchema { Type = JsonSchemaType.String } },
                },
                ["conflicts"] = new OpenApiSchema { Type = JsonSchemaType.Array, Items = new OpenApiSchemaReference(ConflictName, document), Description = "409: every unit or row in conflict." },
                ["existingAgencyId"] = Uuid("409: the agency that already has this code."),
                ["existingUnitId"] = Uuid("409: the unit that already has this code."),
                ["existingAssessmentId"] = Uuid("409: the assessment of this unit and year."),
                ["existingTargetId"] = Uuid("409: the performance target with this indicator."),
                ["currentStatus"] = Text("409: the assessment's status."),
                ["allowedTransitions"] = Texts("409: the transitions allowed from currentStatus."),
                ["unanswered"] = Texts("422: scored items still without an answer."),
                ["failedRules"] = Texts("422: the eligibility rules not met."),
                ["missing"] = Texts("422: what a derivation still needs."),
                ["deadline"] = new OpenApiSchema { Type = JsonSchemaType.String, Format = "date", Description = "422: the proposal deadline that has passed." },
                ["eligibleAgainOn"] = new OpenApiSchema { Type = JsonSchemaType.String, Format = "date", Description = "422: when a revoked unit may be proposed again." },
                ["detectedType"] = Text("415: the type the file's bytes were detected as."),
                ["parameter"] = Text("410: where the cursor that missed events came from (`after` or `Last-Event-ID`)."),
                ["cursor"] = new OpenApiSchema { Type = JsonSchemaType.Integer, Format = "int64", Description = "410: the cursor sent." },
                ["oldestCursor"] = new OpenApiSchema { Type = JsonSchemaType.Integer, Format = "int64", Description = "410: the cursor to continue from; no event after it was deleted." },
                ["retentionDays"] = new OpenApiSchema { Type = JsonSchemaType.Integer, Format = "int32", Description = "410: how many days events are kept." },
            },
        };
    }

    private static OpenApiSchema Text(string description) => new() { Type = JsonSchemaType.String, Description = description };

    private static OpenApiSchema Uuid(string description) => new() { Type = JsonSchemaType.String, Format = "uuid", Description = description };

    private static OpenApiSchema Texts(string description) => new() { Type = JsonSchemaType.Array, Items = new OpenApiSchema { Type = JsonSchemaType.String }, Description = description };
}
