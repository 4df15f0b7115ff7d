namespace ZonaIntegritas.Api.Features.Accountability;

/// <summary>An agency's whole ranking at a month, before paging and the behind filter.</summary>
public sealed record AbsorptionReportKey(Guid AgencyId, int Year, int Month) : IViewKey<AbsorptionReport>
{
    public long SizeOf(AbsorptionReport value) => 300L * value.Units.Count + 512;
}

/// <summary>One page of the ranking as sent (<c>Format</c>: null for JSON, else CsvText.Format: CSV by delimiter, or .xlsx); <c>OwnUnit</c> is set for a unit key, which sees only its line.</summary>
public sealed record AbsorptionPageKey(Guid AgencyId, int Year, int Month, bool Behind, int Page, int PageSize, string? Format, Guid? OwnUnit)
    : IViewKey<SentBody>
{
    public long SizeOf(SentBody value) => value.Bytes;
}
