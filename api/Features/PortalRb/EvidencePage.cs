using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using Microsoft.Net.Http.Headers;
using ZonaIntegritas.Api.Features.Audit;
using ZonaIntegritas.Api.Features.Evidence;
using ZonaIntegritas.Api.Features.Frameworks;

namespace ZonaIntegritas.Api.Features.PortalRb;

/// <summary>
/// What a <c>bukti_dukung_unit</c> link opens: a small HTML page listing one LKE item's current evidence, and the files it
/// links to, for evaluators with a browser and no key. Everything shown is HTML-encoded; the page has no script or
/// style, so the API's "default-src 'none'" policy holds. Each view and download is written to the audit trail.
/// </summary>
public static class EvidencePage
{
    public const string Segment = "/bukti";

    public static RouteGroupBuilder MapEvidencePages(this RouteGroupBuilder root)
    {
        var pages = root.MapGroup(Segment).AllowAnonymous().ExcludeFromDescription();
        pages.MapGet("/{assessmentId:guid}/{itemCode}", GetEvidencePage).WithName(nameof(GetEvidencePage));
        pages.MapGet("/{assessmentId:guid}/{itemCode}/files/{evidenceId:guid}", GetEvidenceFile).WithName(nameof(GetEvidenceFile));
        return root;
    }

    public static async Task<ContentHttpResult> GetEvidencePage(
        Guid assessmentId, string itemCode, long? exp, string? sig, HttpContext http, DbConnectionFactory db, EvidenceLinks links,
        FrameworkCatalogue catalogue, TimeProvider time, CancellationToken cancellationToken)
    {
        if (Refusal(links.CheckItem(assessmentId, itemCode, exp, sig)) is { } refused)
        {
            return refused;
        }
        await using var connection = await db.OpenAsync(cancellationToken);
        const string find = """
            SELECT a.id, a.unit_id, a.agency_id, a.year, a.framework_code, u.name AS unit_name, g.name AS agency_name
            FROM assessments a
            JOIN units u ON u.id = a.unit_id
            JOIN agencies g ON g.id = a.agency_id
            WHERE a.id = @Id
            """;
        var assessment = await connection.QuerySingleOrDefaultAsync<PageAssessment>(find, new { Id = assessmentId });
        if (assessment is null)
        {
            return Message(StatusCodes.Status404NotFound, "Data dukung tidak ditemukan", "The assessment this link points to no longer exists.");
        }
        const string evidenceSql = """
            SELECT e.id, e.kind, e.url, e.title, e.description, e.captured_at, e.status, e.valid_until, e.created_at,
                   v.file_name, v.size, v.sha256, v.uploaded_at
            FROM evidence e
            LEFT JOIN evidence_versions v ON v.evidence_id = e.id AND v.version = e.current_version
            WHERE e.assessment_id = @Id AND e.item_code = @ItemCode AND e.withdrawn_at IS NULL
            ORDER BY e.created_at, e.id
            """;
        var evidence = (await connection.QueryAsync<PageEvidence>(evidenceSql, new { Id = assessmentId, ItemCode = itemCode })).AsList();

        var now = time.GetUtcNow();
        await using (var transaction = await connection.BeginTransactionAsync(cancellationToken))
        {
            await AuditTrail.AppendAnonymousAsync(connection, transaction, now, http.Connection.RemoteIpAddress?.ToString(), http.TraceIdentifier,
                new AuditChange("portalrb.evidence_viewed", "assessment", assessmentId.ToString(), assessment.AgencyId, assessment.UnitId,
                    new { ItemCode = itemCode, Files = evidence.Count, ExpiresAt = DateTimeOffset.FromUnixTimeSeconds(exp!.Value) }));
            await transaction.CommitAsync(cancellationToken);
        }

        catalogue.TryGet(assessment.FrameworkCode, out var framework);
        var question = framework is not null && framework.TryGetItem(itemCode, out var item) ? item.Question : null;
        var today = IndonesiaClock.Today(time);
        return TypedResults.Content(Render(assessment, itemCode, question, evidence, today, e => links.File(assessmentId, itemCode, e.Id, exp!.Value)),
            "text/html; charset=utf-8", Encoding.UTF8, StatusCodes.Status200OK);
    }

    public static async Task<Results<FileStreamHttpResult, ContentHttpResult>> GetEvidenceFile(
        Guid assessmentId, string itemCode, Guid evidenceId, long? exp, string? sig, HttpContext http, DbConnectionFactory db, EvidenceLinks links,
        IEvidenceBlobStore store, TimeProvider time, CancellationToken cancellationToken)
    {
        if (Refusal(links.CheckFile(evidenceId, exp, sig)) is { } refused)
        {
            return refused;
        }
        await using var connection = await db.OpenAsync(cancellationToken);
        const string sql = """
            SELECT e.id, a.unit_id, a.agency_id, v.version, v.sha256, v.size, v.content_type, v.file_name, v.uploaded_at
            FROM evidence e
            JOIN assessments a ON a.id = e.assessment_id
            JOIN evidence_versions v ON v.evidence_id = e.id AND v.version = e.current_version
            WHERE e.id = @Id AND e.assessment_id = @AssessmentId AND e.item_code = @ItemCode AND e.kind = 'file' AND e.withdrawn_at IS NULL
            """;
        var file = await connection.QuerySingleOrDefaultAsync<PageFile>(sql, new { Id = evidenceId, AssessmentId = assessmentId, ItemCode = itemCode });
        if (file is null)
        {
            return Message(StatusCodes.Status404NotFound, "Berkas tidak ditemukan", "This file has been withdrawn or replaced; open the item's page again.");
        }
        await using (var transaction = await connection.BeginTransactionAsync(cancellationToken))
        {
            await AuditTrail.AppendAnonymousAsync(connection, transaction, time.GetUtcNow(), http.Connection.RemoteIpAddress?.ToString(), http.TraceIdentifier,
                new AuditChange("portalrb.evidence_downloaded", "evidence", evidenceId.ToString(), file.AgencyId, file.UnitId,
                    new { file.Version, file.Sha256, ItemCode = itemCode }));
            await transaction.CommitAsync(cancellationToken);
        }
        return TypedResults.File(store.OpenRead(file.Sha256, file.Size), file.ContentType, file.FileName, file.UploadedAt,
            new EntityTagHeaderValue($"\"{file.Sha256}\""), enableRangeProcessing: true);
    }

    private static ContentHttpResult? Refusal(LinkCheck check) => check switch
    {
        LinkCheck.Valid => null,
        LinkCheck.Expired => Message(StatusCodes.Status410Gone, "Tautan kedaluwarsa",
            "This evidence link has expired. PortalRB receives a fresh link with every fetch: use \"Refetch\" there."),
        _ => Message(StatusCodes.Status403Forbidden, "Tautan tidak sah",
            "This evidence link is not valid: it was altered, or the agency has revoked its links."),
    };

    private static ContentHttpResult Message(int status, string title, string text) =>
        TypedResults.Content(Layout(title, $"<h1>{Encode(title)}</h1>\n<p>{Encode(text)}</p>\n"), "text/html; charset=utf-8", Encoding.UTF8, status);

    private static string Render(PageAssessment assessment, string itemCode, string? question, IReadOnlyList<PageEvidence> evidence, DateOnly today,
        Func<PageEvidence, string> fileLink)
    {
        var body = new StringBuilder();
        body.Append("<h1>Data dukung ").Append(Encode(itemCode)).Append("</h1>\n");
        body.Append("<dl>\n");
        body.Append("<dt>Instansi</dt><dd>").Append(Encode(assessment.AgencyName)).Append("</dd>\n");
        body.Append("<dt>Unit</dt><dd id=\"unit\">").Append(Encode(assessment.UnitName)).Append("</dd>\n");
        body.Append("<dt>Tahun</dt><dd>").Append(assessment.Year.ToString(CultureInfo.InvariantCulture)).Append("</dd>\n");
        if (question is not null)
        {
            body.Append("<dt>Pertanyaan</dt><dd>").Append(Encode(question)).Append("</dd>\n");
        }
        body.Append("</dl>\n");
        if (evidence.Count == 0)
        {
            body.Append("<p id=\"empty\">Belum ada data dukung untuk butir ini.</p>\n");
            return Layout($"Data dukung {itemCode}", body.ToString());
        }
        body.Append("<table id=\"evidence\">\n<thead><tr><th>Berkas / tautan</th><th>Ukuran (byte)</th><th>SHA-256</th><th>Status reviu</th><th>Tanggal pengambilan</th></tr></thead>\n<tbody>\n");
        foreach (var e in evidence)
        {
            var status = EvidenceStatus.Effective(e.Status, e.ValidUntil, today);
            body.Append("<tr>");
            if (e.Kind == "file")
            {
                body.Append("<td><a class=\"file\" href=\"").Append(Encode(fileLink(e))).Append("\">").Append(Encode(e.FileName ?? "")).Append("</a></td>");
                body.Append("<td>").Append(e.Size?.ToString(CultureInfo.InvariantCulture)).Append("</td>");
                body.Append("<td><code>").Append(Encode(e.Sha256 ?? "")).Append("</code></td>");
            }
            else
            {
                body.Append("<td><a class=\"link\" rel=\"noopener noreferrer\" href=\"").Append(Encode(e.Url ?? "")).Append("\">").Append(Encode(e.Title ?? e.Url ?? "")).Append("</a>");
                if (e.Description is { Length: > 0 } description)
                {
                    body.Append("<br>").Append(Encode(description));
                }
                body.Append("</td><td></td><td></td>");
            }
            body.Append("<td>").Append(Encode(status)).Append("</td>");
            body.Append("<td>").Append(Encode((e.CapturedAt ?? e.UploadedAt ?? e.CreatedAt).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture))).Append("</td>");
            body.Append("</tr>\n");
        }
        body.Append("</tbody>\n</table>\n");
        return Layout($"Data dukung {itemCode}", body.ToString());
    }

    private static string Layout(string title, string body) => $"""
        <!DOCTYPE html>
        <html lang="id">
        <head>
        <meta charset="utf-8">
        <meta name="robots" content="noindex, nofollow">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>{Encode(title)}</title>
        </head>
        <body>
        {body}</body>
        </html>

        """;

    private static string Encode(string text) => HtmlEncoder.Default.Encode(text);

    private sealed class PageAssessment
    {
        public Guid Id { get; init; }
        public Guid UnitId { get; init; }
        public Guid AgencyId { get; init; }
        public int Year { get; init; }
        public string FrameworkCode { get; init; } = "";
        public string UnitName { get; init; } = "";
        public string AgencyName { get; init; } = "";
    }

    private sealed class PageEvidence
    {
        public Guid Id { get; init; }
        public string Kind { get; init; } = "";
        public string? Url { get; init; }
        public string? Title { get; init; }
        public string? Description { get; init; }
        public DateTimeOffset? CapturedAt { get; init; }
        public string Status { get; init; } = "";
        public DateOnly? ValidUntil { get; init; }
        public DateTimeOffset CreatedAt { get; init; }
        public string? FileName { get; init; }
        public long? Size { get; init; }
        public string? Sha256 { get; init; }
        public DateTimeOffset? UploadedAt { get; init; }
    }

    private sealed class PageFile
    {
        public Guid Id { get; init; }
        public Guid UnitId { get; init; }
        public Guid AgencyId { get; init; }
        public int Version { get; init; }
        public string Sha256 { get; init; } = "";
        public long Size { get; init; }
        public string ContentType { get; init; } = "";
        public string FileName { get; init; } = "";
        public DateTimeOffset UploadedAt { get; init; }
    }
}
