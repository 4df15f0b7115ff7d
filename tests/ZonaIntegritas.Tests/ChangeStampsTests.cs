using ZonaIntegritas.Api.Data;
using ZonaIntegritas.Api.Features.Audit;

namespace ZonaIntegritas.Tests;

/// <summary>What each kind of change makes stale: a view of its unit sees fetches, a view of the unit beside fetches does not.</summary>
public sealed class ChangeStampsTests
{
    private static readonly Guid Agency = Guid.NewGuid();
    private static readonly Guid Unit = Guid.NewGuid();

    private static (bool Unit, bool BesideFetches) Unchanged(ChangeStamps stamps, long reading) =>
        (stamps.UnitUnchangedSince(Unit, Agency, reading), stamps.UnitUnchangedBesideFetchesSince(Unit, Agency, reading));

    [Fact]
    public void AFetchOfTheUnitOrItsAgencyChangesTheUnitButNotTheUnitBesideFetches()
    {
        var stamps = new ChangeStamps(AuditEntities.KindOf);
        var reading = stamps.Now;

        stamps.Record(AuditEntities.PortalRbFetch, Agency, Unit);
        var afterUnitFetch = Unchanged(stamps, reading);
        reading = stamps.Now;
        stamps.Record(AuditEntities.PortalRbFetch, Agency, null);
        var afterListingFetch = Unchanged(stamps, reading);
        reading = stamps.Now;
        stamps.Record(AuditEntities.PortalRbFetch, null, null);
        var afterAgencylessFetch = Unchanged(stamps, reading);

        Assert.Equal((false, true), afterUnitFetch);
        Assert.Equal((false, true), afterListingFetch);
        Assert.Equal((false, true), afterAgencylessFetch);
    }

    [Fact]
    public void ADocumentRebuiltBecauseADateCameChangesTheUnitButNotTheUnitBesideFetches()
    {
        var stamps = new ChangeStamps(AuditEntities.KindOf);
        var reading = stamps.Now;

        stamps.Record(AuditEntities.ComplianceDocument, Agency, Unit);

        Assert.Equal((false, true), Unchanged(stamps, reading));
    }

    [Fact]
    public void AWriteToTheUnitItsAgencyOrEverythingChangesBoth()
    {
        var stamps = new ChangeStamps(AuditEntities.KindOf);
        var results = new List<(bool, bool)>();
        foreach (var (agency, unit) in new (Guid?, Guid?)[] { (Agency, Unit), (null, Unit), (Agency, null), (null, null) })
        {
            var reading = stamps.Now;
            stamps.Record("assessment", agency, unit);
            results.Add(Unchanged(stamps, reading));
        }
        var last = stamps.Now;
        stamps.Record("evidence", Agency, Guid.NewGuid()); // another unit of the agency
        stamps.Record(AuditEntities.ApiKey, Agency, Unit);
        stamps.Record(AuditEntities.Client, null, null);

        Assert.All(results, r => Assert.Equal((false, false), r));
        Assert.Equal((true, true), Unchanged(stamps, last));
    }
}
