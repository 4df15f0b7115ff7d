using System.Text;
using System.Text.Json.Nodes;
using ZonaIntegritas.Api.Features.Frameworks;

namespace ZonaIntegritas.Tests.PortalRb;

/// <summary>The PortalRB question lists are data, checked at start against the frameworks.</summary>
public sealed class SoalMapTests
{
    private static readonly string Root = FindRoot();
    private static readonly byte[] Lke = File.ReadAllBytes(Path.Combine(Root, "db", "frameworks", "permenpanrb-90-2021.json"));
    private static readonly byte[] Map2026 = File.ReadAllBytes(Path.Combine(Root, "db", "frameworks", "portalrb", "portalrb-2026-soal-map.json"));

    private static byte[] Edited(Action<JsonObject> edit)
    {
        var map = JsonNode.Parse(Map2026)!.AsObject();
        edit(map);
        return Encoding.UTF8.GetBytes(map.ToJsonString());
    }

    private static FrameworkCatalogue Catalogue(params (string, byte[])[] maps) => new([("frameworks.lke.json", Lke)], maps);

    [Fact]
    public void TheShippedListMapsAll127SoalOntoTheLke()
    {
        var maps = new FrameworkCatalogue().SoalMaps;

        var map = Assert.Single(maps.All);
        Assert.Equal(2026, map.Year);
        Assert.Equal(127, map.Soal.Count);
        Assert.Equal(["PERMENPANRB-90-2021"], map.FrameworkCodes);
    }

    [Fact]
    public void AYearWithoutItsOwnListUsesTheLatestEarlierOne()
    {
        var next = Edited(m => { m["year"] = 2028; m["soal"]![0]!["soalId"] = 1001; });
        var maps = Catalogue(("portalrb.2026.json", Map2026), ("portalrb.2028.json", next)).SoalMaps;

        Assert.Equal(2026, maps.ForYear(2027)!.Year);
        Assert.Equal(2028, maps.ForYear(2030)!.Year);
        Assert.Equal(2026, maps.ForYear(2024)!.Year);
        Assert.Equal(1001, maps.ForYear(2029)!.Soal.Single(s => s.ItemCode == "MP.P.1.a").SoalId);
    }

    [Fact]
    public void AListNamingAnUnknownItemOrTheWrongTypeIsRefusedAtStart()
    {
        var unknown = Edited(m => m["soal"]![3]!["itemCode"] = "XX.1");
        var wrongType = Edited(m => m["soal"]![0]!["answerType"] = "ABC");
        var percentage = Edited(m => { m["soal"]![0]!["itemCode"] = "MP.R.1.a"; m["soal"]![0]!["answerType"] = "PERSEN"; });
        var twice = Edited(m => m["soal"]![1]!["soalId"] = 1);
        var miscounted = Edited(m => m["totalSoal"] = 128);

        Assert.Contains("no item XX.1", Assert.Throws<InvalidOperationException>(() => Catalogue(("portalrb.x.json", unknown))).Message);
        Assert.Contains("MP.P.1.a is YA_TIDAK, the map says ABC", Assert.Throws<InvalidOperationException>(() => Catalogue(("portalrb.x.json", wrongType))).Message);
        Assert.Contains("computed percentage", Assert.Throws<InvalidOperationException>(() => Catalogue(("portalrb.x.json", percentage))).Message);
        Assert.Contains("soal 1 appears twice", Assert.Throws<InvalidOperationException>(() => Catalogue(("portalrb.x.json", twice))).Message);
        Assert.Contains("declares 128", Assert.Throws<InvalidOperationException>(() => Catalogue(("portalrb.x.json", miscounted))).Message);
    }

    private static string FindRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "ZonaIntegritas.sln")))
            {
                return directory.FullName;
            }
        }
        throw new InvalidOperationException("Repository root not found.");
    }
}
