using System.Security.Cryptography;

namespace ZonaIntegritas.Api.Features.Compliance;

/// <summary>
/// A unit's document as sent: the bytes and their strong ETag. The document object is kept when the entry was built
/// here, and read back from the bytes on demand when they came from the store (only CSV, spreadsheets and the flag
/// filter need it; JSON is sent as the bytes).
/// </summary>
public sealed class UnitEntry
{
    private readonly JsonSerializerOptions _json;
    private UnitCompliance? _document;

    private UnitEntry(Guid unitId, Guid agencyId, byte[] body, string etag, UnitCompliance? document, JsonSerializerOptions json)
    {
        UnitId = unitId;
        AgencyId = agencyId;
        Body = body;
        ETag = etag;
        _document = document;
        _json = json;
    }

    public Guid UnitId { get; }
    public Guid AgencyId { get; }
    public byte[] Body { get; }
    public string ETag { get; }

    /// <summary>
    /// The document object: kept when built here; read from the bytes on each call when they came from the store, so that
    /// a stored entry costs the cache its bytes only, and the cache's byte bound stays true however the entry is used.
    /// </summary>
    public UnitCompliance Document => _document ?? JsonSerializer.Deserialize<UnitCompliance>(Body, _json)!;

    /// <summary>Whether the entry holds the document object beside its bytes (built here) or only the bytes (from the store).</summary>
    public bool HoldsDocument => _document is not null;

    public ViewScope Scope => ViewScope.OfUnit(AgencyId, UnitId);

    public static UnitEntry Of(UnitCompliance document, JsonSerializerOptions json)
    {
        var body = JsonSerializer.SerializeToUtf8Bytes(document, json);
        return new UnitEntry(document.UnitId, document.AgencyId, body, TagOf(body), document, json);
    }

    public static UnitEntry Stored(Guid unitId, Guid agencyId, byte[] body, string etag, JsonSerializerOptions json) =>
        new(unitId, agencyId, body, etag, null, json);

    // A strong validator: the hash of exactly the bytes the document serialises to.
    internal static string TagOf(byte[] body) => $"\"{Convert.ToHexStringLower(SHA256.HashData(body))[..32]}\"";
}

/// <summary>One unit's document for the pacts of <c>Year</c> and the assessment of <c>AssessmentYear</c> (null: the latest).</summary>
public sealed record UnitDocumentKey(Guid UnitId, int Year, int? AssessmentYear) : IViewKey<UnitEntry>
{
    // The bytes, plus the document they were serialised from when the entry holds it (about twice the bytes); 512 for
    // the entry, its ETag and the cache's bookkeeping.
    public long SizeOf(UnitEntry value) => value.Body.Length * (value.HoldsDocument ? 3L : 1L) + 512;
}

/// <summary>One page of GET /compliance as sent, for one scope and set of filters; <c>Format</c>: null for JSON, else CsvText.Format.</summary>
public sealed record ComplianceListKey(
    Guid? AgencyId, Guid? UnitId, string? Stage, string? Predikat, int? Year, string? Flag, string? NationalStage, int Page, int PageSize, string? Format)
    : IViewKey<SentBody>
{
    public long SizeOf(SentBody value) => value.Bytes;
}

public sealed record AgencySummaryKey(Guid AgencyId, int Year, int? AssessmentYear) : IViewKey<ComplianceSummary>;

/// <summary>The national summary as one scope (everything, one agency, or one unit) sees it.</summary>
public sealed record NationalSummaryKey(Guid? AgencyId, Guid? UnitId, int Year, int? AssessmentYear) : IViewKey<NationalComplianceSummary>
{
    public long SizeOf(NationalComplianceSummary value) => 2048L * (value.Agencies.Count + 1);
}
