using System.Text;
using System.Globalization;
using FluentValidation;
using Microsoft.Net.Http.Headers;

namespace ZonaIntegritas.Api.Features.IntegrityPacts;

/// <summary>Reading a pact upload (one pact, a JSON batch or CSV) and checking its rows before anything is written.</summary>
public static class PactImport
{
    public const int MaximumPactsPerRequest = 5000;
    internal static readonly string[] CsvColumns = ["nip", "name", "position", "role", "occasion", "signedOn", "documentUrl"];

    internal sealed record ReadResult(List<PactRequest?>? Rows, bool IsBatch, Dictionary<string, string[]>? Errors, ProblemHttpResult? Problem, IReadOnlyList<int>? CsvLines)
    {
        public string Where(int index) => CsvLines is null ? "" : $" (CSV line {CsvLines[index]})";
    }

    internal static async Task<ReadResult> ReadAsync(HttpRequest request, JsonSerializerOptions jsonOptions, CancellationToken cancellationToken)
    {
        if (!MediaTypeHeaderValue.TryParse(request.ContentType, out var mediaType))
        {
            return new ReadResult(null, false, null, UnsupportedMediaType(request.ContentType), null);
        }
        if (mediaType.MediaType.Equals("text/csv", StringComparison.OrdinalIgnoreCase))
        {
            return await ReadCsv(request, cancellationToken);
        }
        if (!mediaType.MediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase) && !mediaType.Suffix.Equals("json", StringComparison.OrdinalIgnoreCase))
        {
            return new ReadResult(null, false, null, UnsupportedMediaType(request.ContentType), null);
        }
        PactSubmission? submission;
        try
        {
            submission = await JsonSerializer.DeserializeAsync<PactSubmission>(request.Body, jsonOptions, cancellationToken);
        }
        catch (JsonException e)
        {
            // Same answer as for any other malformed JSON body.
            throw new BadHttpRequestException("The request body is not valid JSON.", StatusCodes.Status400BadRequest, e);
        }
        if (submission is null)
        {
            return new ReadResult(null, false, new() { ["body"] = ["A pact or {\"pacts\": [...]} is required."] }, null, null);
        }
        if (submission.Pacts is { } pacts)
        {
            if (pacts.Count == 0)
            {
                return new ReadResult(null, true, new() { ["pacts"] = ["pacts must contain at least one pact."] }, null, null);
            }
            if (pacts.Count > MaximumPactsPerRequest)
            {
                return new ReadResult(null, true, new() { ["pacts"] = [$"At most {MaximumPactsPerRequest} pacts per request; got {pacts.Count}."] }, null, null);
            }
            return new ReadResult(pacts.ToList(), true, null, null, null);
        }
        var single = new PactRequest(submission.Nip, submission.Name, submission.Position, submission.Role, submission.Occasion, submission.SignedOn, submission.DocumentUrl);
        return new ReadResult([single], false, null, null, null);
    }

    private static async Task<ReadResult> ReadCsv(HttpRequest request, CancellationToken cancellationToken)
    {
        // The body is bounded by the bulk-import limit; reading it whole keeps the CSV reader synchronous and simple.
        using var reader = new StreamReader(request.Body, new UTF8Encoding(false, throwOnInvalidBytes: true), detectEncodingFromByteOrderMarks: true);
        string text;
        try
        {
            text = await reader.ReadToEndAsync(cancellationToken);
        }
        catch (DecoderFallbackException)
        {
            return new ReadResult(null, true, new() { ["file"] = ["The CSV file is not valid UTF-8."] }, null, null);
        }
        List<Csv.Row> rows;
        try
        {
            rows = Csv.Read(new StringReader(text)).ToList();
        }
        catch (FormatException e)
        {
            return new ReadResult(null, true, new() { ["file"] = [e.Message] }, null, null);
        }
        if (rows.Count == 0)
        {
            return new ReadResult(null, true, new() { ["file"] = [$"The CSV file is empty; the first line must name the columns: {string.Join(",", CsvColumns)}."] }, null, null);
        }
        var header = rows[0].Fields.Select(f => f.Trim()).ToList();
        var positions = CsvColumns.ToDictionary(c => c, c => header.FindIndex(h => h.Equals(c, StringComparison.OrdinalIgnoreCase)));
        var missing = positions.Where(p => p.Value < 0 && p.Key != "documentUrl").Select(p => p.Key).ToList();
        if (missing.Count > 0)
        {
            return new ReadResult(null, true, new() { ["file"] = [$"The CSV header lacks column(s) {string.Join(", ", missing)}; expected: {string.Join(",", CsvColumns)}."] }, null, null);
        }
        var data = rows.Skip(1).ToList();
        if (data.Count == 0 || data.Count > MaximumPactsPerRequest)
        {
            return new ReadResult(null, true, new() { ["file"] = [$"The CSV file must have between 1 and {MaximumPactsPerRequest} data rows; it has {data.Count}."] }, null, null);
        }
        var errors = new Dictionary<string, string[]>();
        var pacts = new List<PactRequest?>(data.Count);
        for (var i = 0; i < data.Count; i++)
        {
            string? Field(string column) =>
                positions[column] is var at and >= 0 && at < data[i].Fields.Count && data[i].Fields[at].Trim() is { Length: > 0 } value ? value : null;
            DateOnly? signedOn = null;
            if (Field("signedOn") is { } date)
            {
                if (DateOnly.TryParseExact(date, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var parsed))
                {
                    signedOn = parsed;
                }
                else
                {
                    errors[$"pacts[{i}].signedOn"] = [$"signedOn '{date}' is not a date in yyyy-MM-dd form (CSV line {data[i].LineNumber})."];
                }
            }
            pacts.Add(new PactRequest(Field("nip"), Field("name"), Field("position"), Field("role"), Field("occasion"), signedOn, Field("documentUrl")));
        }
        return new ReadResult(pacts, true, errors.Count > 0 ? errors : null, null, data.Select(d => d.LineNumber).ToList());
    }

    private static ProblemHttpResult UnsupportedMediaType(string? contentType) => TypedResults.Problem(
        statusCode: StatusCodes.Status415UnsupportedMediaType,
        title: "Unsupported Media Type",
        detail: $"Content-Type '{contentType}' is not supported here; send application/json or text/csv.");

    /// <summary>Every invalid field of every row (named <c>pacts[i].field</c>, with the CSV line), and rows repeated within the upload.</summary>
    internal static async Task<Dictionary<string, string[]>> ErrorsAsync(ReadResult read, List<PactRequest?> rows, IValidator<PactRequest> validator,
        CancellationToken cancellationToken)
    {
        // CSV fields that could not even be parsed are reported as they are; the validator adds everything else.
        var errors = read.Errors ?? [];
        for (var i = 0; i < rows.Count; i++)
        {
            var prefix = read.IsBatch ? $"pacts[{i}]" : null;
            if (rows[i] is not { } row)
            {
                errors[prefix ?? "body"] = ["A pact is required."];
                continue;
            }
            var validation = await validator.ValidateAsync(row, cancellationToken);
            foreach (var (field, messages) in ValidationFilter.Errors(validation.Errors, prefix is null ? "" : $"{prefix}."))
            {
                errors.TryAdd(field, messages.Select(m => m + read.Where(i)).ToArray());
            }
        }
        if (errors.Count == 0)
        {
            AddRepeats(read, rows, errors);
        }
        return errors;
    }

    /// <summary>An employee signs once per occasion and year: a second row for the same is named with the first one's index.</summary>
    private static void AddRepeats(ReadResult read, List<PactRequest?> rows, Dictionary<string, string[]> errors)
    {
        var firstIndex = new Dictionary<(string, string, int), int>();
        for (var i = 0; i < rows.Count; i++)
        {
            var row = rows[i]!;
            if (!firstIndex.TryAdd((row.Nip!, row.Occasion!, row.SignedOn!.Value.Year), i))
            {
                errors[$"pacts[{i}].nip"] =
                    [$"NIP {row.Nip} signs for '{row.Occasion}' in {row.SignedOn.Value.Year} twice in this upload (also at pacts[{firstIndex[(row.Nip!, row.Occasion!, row.SignedOn.Value.Year)]}]){read.Where(i)}."];
            }
        }
    }
}
