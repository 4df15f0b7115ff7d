using System.Security.Cryptography;

namespace ZonaIntegritas.Api.Features.Compliance;

/// <summary>A unit's document with the bytes it serialises to and their strong ETag, as cached and sent.</summary>
public sealed record UnitEntry(UnitCompliance Document, byte[] Body, string ETag)
{
    public Guid UnitId => Document.UnitId;
    public Guid AgencyId => Document.AgencyId;

    public ViewScope Scope => ViewScope.OfUnit(AgencyId, UnitId);

    public static UnitEntry Of(UnitCompliance document, JsonSerializerOptions json)
    {
        // A strong validator: the hash of exactly the bytes this document serialises to.
        var body = JsonSerializer.SerializeToUtf8Bytes(document, json);
        return new UnitEntry(document, body, $"\"{Convert.ToHexStringLower(SHA256.HashData(body))[..32]}\"");
    }
}

/// <summary>One unit's document for the pacts of <c>Year</c> and the assessment of <c>AssessmentYear</c> (null: the latest).</summary>
public sealed record UnitDocumentKey(Guid UnitId, int Year, int? AssessmentYear) : IViewKey<UnitEntry>
{
    // The bytes plus the document they were serialised from.
    public long SizeOf(UnitEntry value) => value.Body.Length * 3L + 512;
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
