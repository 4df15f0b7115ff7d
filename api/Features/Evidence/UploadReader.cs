using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Net.Http.Headers;

namespace ZonaIntegritas.Api.Features.Evidence;

/// <summary>Reads an evidence upload (multipart/form-data) while streaming: the file part goes straight to a staged blob.</summary>
public static class UploadReader
{
    public const int MaximumFieldLength = 4000;

    internal sealed record UploadForm(StagedBlob? Blob, string? FileName, string? ContentType, string? Description, DateTimeOffset? CapturedAt,
        Dictionary<string, string[]>? Errors, ProblemHttpResult? Problem);

    private sealed class Parts
    {
        public StagedBlob? Blob { get; set; }
        public string? FileName { get; set; }
        public string? Description { get; set; }
        public string? CapturedAtText { get; set; }
    }

    /// <summary>The upload's parts, checked; on any error the staged bytes are discarded and only the problem is returned.</summary>
    internal static async Task<UploadForm> ReadAsync(HttpRequest request, IEvidenceBlobStore store, long maxBytes, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (!MediaTypeHeaderValue.TryParse(request.ContentType, out var type) || !type.MediaType.Equals("multipart/form-data", StringComparison.OrdinalIgnoreCase))
        {
            return new UploadForm(null, null, null, null, null, null, TypedResults.Problem(statusCode: StatusCodes.Status415UnsupportedMediaType,
                title: "Unsupported Media Type", detail: $"Content-Type '{request.ContentType}' is not supported here; send multipart/form-data with a 'file' part, or JSON for a link."));
        }
        var boundary = HeaderUtilities.RemoveQuotes(type.Boundary).Value;
        if (string.IsNullOrEmpty(boundary) || boundary.Length > 200)
        {
            return Invalid("body", "The multipart boundary is missing or too long.");
        }
        var parts = new Parts();
        return await ReadPartsAsync(request.Body, boundary, parts, store, maxBytes, cancellationToken) ?? Check(parts, store, now);
    }

    private static async Task<UploadForm?> ReadPartsAsync(Stream body, string boundary, Parts parts, IEvidenceBlobStore store, long maxBytes, CancellationToken cancellationToken)
    {
        try
        {
            var reader = new MultipartReader(boundary, body) { BodyLengthLimit = null };
            MultipartSection? section;
            while ((section = await reader.ReadNextSectionAsync(cancellationToken)) is not null)
            {
                if (!ContentDispositionHeaderValue.TryParse(section.ContentDisposition, out var disposition) || !disposition.DispositionType.Equals("form-data", StringComparison.OrdinalIgnoreCase))
                {
                    continue;
                }
                var name = HeaderUtilities.RemoveQuotes(disposition.Name).Value;
                if (disposition.IsFileDisposition() && name == "file")
                {
                    if (parts.Blob is not null)
                    {
                        return Invalid("file", "Send one file per request.", parts.Blob, store);
                    }
                    parts.FileName = FileNames.Sanitize(disposition.FileNameStar.HasValue ? disposition.FileNameStar.Value : HeaderUtilities.RemoveQuotes(disposition.FileName).Value);
                    parts.Blob = await store.StageAsync(section.Body, maxBytes, cancellationToken);
                }
                else if (name is "description" or "capturedAt")
                {
                    using var text = new StreamReader(section.Body, Encoding.UTF8);
                    var buffer = new char[MaximumFieldLength + 1];
                    var length = await text.ReadBlockAsync(buffer, cancellationToken);
                    if (length > MaximumFieldLength)
                    {
                        return Invalid(name, $"{name} must be at most {MaximumFieldLength} characters.", parts.Blob, store);
                    }
                    if (name == "description") parts.Description = new string(buffer, 0, length);
                    else parts.CapturedAtText = new string(buffer, 0, length).Trim();
                }
            }
            return null;
        }
        catch (EvidenceTooLargeException e)
        {
            return new UploadForm(null, null, null, null, null, null, TypedResults.Problem(statusCode: StatusCodes.Status413PayloadTooLarge,
                title: "Payload Too Large", detail: $"The file is larger than the limit of {e.Limit} bytes (Evidence:MaxBytes)."));
        }
        catch (IOException e) when (e is not FileNotFoundException)
        {
            return Invalid("body", "The multipart body is malformed or was cut off.", parts.Blob, store);
        }
        catch (InvalidDataException)
        {
            return Invalid("body", "The multipart body is malformed.", parts.Blob, store);
        }
    }

    private static UploadForm Check(Parts parts, IEvidenceBlobStore store, DateTimeOffset now)
    {
        if (parts.Blob is not { } blob)
        {
            return Invalid("file", "A 'file' part is required.");
        }
        if (blob.Size == 0)
        {
            return Invalid("file", "The file is empty.", blob, store);
        }
        DateTimeOffset? capturedAt = null;
        if (!string.IsNullOrEmpty(parts.CapturedAtText))
        {
            if (!DateTimeOffset.TryParse(parts.CapturedAtText, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var parsed))
            {
                return Invalid("capturedAt", $"capturedAt '{parts.CapturedAtText}' is not an ISO 8601 date and time.", blob, store);
            }
            if (CapturedAtProblem(parsed, now) is { } problem)
            {
                return Invalid("capturedAt", problem, blob, store);
            }
            capturedAt = parsed;
        }
        var detected = FileTypes.Detect(blob.Header, blob.TempPath);
        if (!detected.Allowed)
        {
            Discard(blob, store);
            return new UploadForm(null, null, null, null, null, null, TypedResults.Problem(statusCode: StatusCodes.Status415UnsupportedMediaType,
                title: "Unsupported Media Type",
                detail: $"The file's content is {detected.MediaType}; accepted are PDF, JPEG, PNG, HEIC, WebP, DOCX, XLSX, PPTX and MP4.",
                extensions: new Dictionary<string, object?> { ["detectedType"] = detected.MediaType }));
        }
        return new UploadForm(blob, parts.FileName, detected.MediaType, parts.Description, capturedAt, null, null);
    }

    private static readonly TimeSpan Wit = TimeSpan.FromHours(9);

    /// <summary>A photo or scan is not taken in the future (the clock as it reads in WIT, Indonesia's easternmost zone), nor before 1950.</summary>
    private static string? CapturedAtProblem(DateTimeOffset capturedAt, DateTimeOffset now) =>
        capturedAt > now
            ? $"capturedAt {capturedAt.ToOffset(Wit):yyyy-MM-dd'T'HH:mm:sszzz} is in the future; it is now {now.ToOffset(Wit):yyyy-MM-dd'T'HH:mm:sszzz} WIT."
            : capturedAt < new DateTimeOffset(Nip.EarliestBirth.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero)
                ? $"capturedAt must be on or after {Nip.EarliestBirth:yyyy-MM-dd}."
                : null;

    private static UploadForm Invalid(string field, string message, StagedBlob? blob = null, IEvidenceBlobStore? store = null)
    {
        Discard(blob, store);
        return new UploadForm(null, null, null, null, null, new Dictionary<string, string[]> { [field] = [message] }, null);
    }

    private static void Discard(StagedBlob? blob, IEvidenceBlobStore? store)
    {
        if (blob is not null)
        {
            store!.Discard(blob);
        }
    }
}
