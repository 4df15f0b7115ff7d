using ZonaIntegritas.Api.Features.Audit;

namespace ZonaIntegritas.Api.Features.Frameworks;

public sealed record FrameworkSummary(string Code, string Title, string LegalBasis, decimal MaxScore, int ScoredItems, int Items);

public static class FrameworkEndpoints
{
    public static RouteGroupBuilder MapFrameworks(this RouteGroupBuilder api)
    {
        var group = api.MapGroup("/frameworks").WithTags("Frameworks (LKE catalogue)");

        group.MapGet("/", ListFrameworks)
            .WithName(nameof(ListFrameworks))
            .WithSummary("List the LKE frameworks this service scores")
            .WithDescription("Any key may read the catalogue. Each framework comes from a file in db/frameworks.");
        group.MapGet("/{code}", GetFramework)
            .WithName(nameof(GetFramework))
            .WithSummary("The whole worksheet: component → area → part → sub-indicator → item")
            .WithDescription("""
                Weights (exact; a scored item's weight is its sub-indicator's weight ÷ its scored items), answer types with option
                texts and scores, evidence hints, percentage formulas with the JUMLAH inputs they read, and the WBK/WBBM thresholds.
                Item codes (MP.P.1.a, PW.R.2.a, HB.1 …) are the identifiers used everywhere in the API.
                """)
            .ProducesProblem(StatusCodes.Status404NotFound);
        return api;
    }

    public static Ok<IReadOnlyList<FrameworkSummary>> ListFrameworks(FrameworkCatalogue catalogue) =>
        TypedResults.Ok<IReadOnlyList<FrameworkSummary>>(catalogue.All
            .Select(f => new FrameworkSummary(f.Code, f.Title, f.LegalBasis, f.MaxScore, f.Items.Count(i => i.Scored), f.Items.Count))
            .ToList());

    public static Results<Ok<Framework>, ProblemHttpResult> GetFramework(string code, FrameworkCatalogue catalogue) =>
        catalogue.TryGet(code, out var framework)
            ? TypedResults.Ok(framework)
            : Problems.NotFound($"Framework '{code}' is not known; known frameworks: {string.Join(", ", catalogue.All.Select(f => f.Code))}.");
}

