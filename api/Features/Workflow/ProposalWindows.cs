using System.ComponentModel.DataAnnotations;
using System.Globalization;
using FluentValidation;
using ZonaIntegritas.Api.Features.Audit;

namespace ZonaIntegritas.Api.Features.Workflow;

/// <summary>
/// The period in which units of an assessment year may be proposed. <c>source</c> is <c>configured</c> (set with PUT
/// /proposal-windows/{year}) or <c>default</c> (no start, closing on Proposals:DeadlineMonthDay of the year).
/// </summary>
public sealed record ProposalWindow(int Year, DateOnly? OpensOn, DateOnly ClosesOn, string Source)
{
    public bool Contains(DateOnly day) => (OpensOn is not { } opens || day >= opens) && day <= ClosesOn;

    /// <summary>How refusals and documents name the window.</summary>
    public string Describe() => Source == ProposalWindows.Configured
        ? $"the {Year} proposal window ({OpensOn:yyyy-MM-dd} to {ClosesOn:yyyy-MM-dd})"
        : $"the default {Year} proposal deadline ({ClosesOn:yyyy-MM-dd}, Proposals:DeadlineMonthDay)";
}

public sealed record ProposalWindowRequest(DateOnly? OpensOn, DateOnly? ClosesOn);

public sealed class ProposalWindowRequestValidator : AbstractValidator<ProposalWindowRequest>
{
    public ProposalWindowRequestValidator()
    {
        RuleFor(r => r.OpensOn).NotNull().WithMessage("opensOn is required (yyyy-MM-dd).");
        RuleFor(r => r.ClosesOn).NotNull().WithMessage("closesOn is required (yyyy-MM-dd).");
        RuleFor(r => r.ClosesOn).GreaterThanOrEqualTo(r => r.OpensOn).When(r => r.OpensOn is not null && r.ClosesOn is not null)
            .WithMessage("closesOn must be on or after opensOn.");
    }
}

public static class ProposalWindows
{
    public const string Configured = "configured";
    public const string Default = "default";

    public static RouteGroupBuilder MapProposalWindows(this RouteGroupBuilder api)
    {
        var group = api.MapGroup("/proposal-windows").WithTags("Assessment workflow").WithValidation();
        group.MapPut("/{year:int}", PutProposalWindow).RequireAuthorization(Policies.Admin)
            .WithName(nameof(PutProposalWindow))
            .WithSummary("Set the period in which units may be proposed for an assessment year")
            .WithDescription("""
                Admin only. Replaces Proposals:DeadlineMonthDay for that year (PortalRB has moved the date before: 30 June in 2022).
                Both days are inclusive, in Indonesian dates. Outside the window POST /assessments/{id}/propose answers 422 naming it.
                """)
            .Accepts<ProposalWindowRequest>("application/json")
            .Produces<ProposalWindow>(StatusCodes.Status200OK, "application/json")
            .ProducesValidationProblem();
        group.MapGet("/{year:int}", GetProposalWindow)
            .WithName(nameof(GetProposalWindow))
            .WithSummary("The proposal period in force for an assessment year: the one set, or the default deadline")
            .Produces<ProposalWindow>(StatusCodes.Status200OK, "application/json")
            .ProducesValidationProblem();
        return api;
    }

    public static async Task<Results<Ok<ProposalWindow>, ValidationProblem>> PutProposalWindow(
        int year, ProposalWindowRequest request, Caller caller, DbConnectionFactory db, IOptions<ProposalOptions> proposals, CancellationToken cancellationToken)
    {
        if (YearRules.Invalid(year) is { } invalid)
        {
            return invalid;
        }
        await using var connection = await db.OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var before = await For(connection, proposals.Value, year, transaction);
        const string update = "UPDATE proposal_windows SET opens_on = @OpensOn, closes_on = @ClosesOn, updated_at = @Now, updated_by = @By WHERE year = @Year";
        const string insert = """
            INSERT INTO proposal_windows (year, opens_on, closes_on, updated_at, updated_by) VALUES (@Year, @OpensOn, @ClosesOn, @Now, @By)
            """;
        var values = new { Year = year, request.OpensOn, request.ClosesOn, Now = caller.At, By = caller.KeyId };
        if (await connection.ExecuteAsync(update, values, transaction) == 0)
        {
            await connection.ExecuteAsync(insert, values, transaction);
        }
        var window = new ProposalWindow(year, request.OpensOn, request.ClosesOn!.Value, Configured);
        // No agency or unit: every compliance document's deadline flag depends on it.
        await connection.AuditAsync(transaction, caller, new AuditChange("proposal_window.set", "proposal_window", year.ToString(System.Globalization.CultureInfo.InvariantCulture),
            Changes: AuditTrail.Diff(("opensOn", before.OpensOn, window.OpensOn), ("closesOn", before.ClosesOn, window.ClosesOn), ("source", before.Source, window.Source))));
        await transaction.CommitAsync(cancellationToken);
        return TypedResults.Ok(window);
    }

    public static async Task<Results<Ok<ProposalWindow>, ValidationProblem>> GetProposalWindow(
        int year, DbConnectionFactory db, IOptions<ProposalOptions> proposals, CancellationToken cancellationToken)
    {
        if (YearRules.Invalid(year) is { } invalid)
        {
            return invalid;
        }
        await using var connection = await db.OpenAsync(cancellationToken);
        return TypedResults.Ok(await For(connection, proposals.Value, year));
    }

    /// <summary>The window in force for one year.</summary>
    public static async Task<ProposalWindow> For(DbConnection connection, ProposalOptions proposals, int year, DbTransaction? transaction = null)
    {
        const string sql = "SELECT year, opens_on, closes_on FROM proposal_windows WHERE year = @Year";
        var row = await connection.QuerySingleOrDefaultAsync<WindowRow>(sql, new { Year = year }, transaction);
        return row is null ? DefaultFor(proposals, year) : new ProposalWindow(year, row.OpensOn, row.ClosesOn, Configured);
    }

    /// <summary>Every window set, by year (a handful of rows: one per year).</summary>
    public static async Task<IReadOnlyDictionary<int, ProposalWindow>> AllConfigured(DbConnection connection, DbTransaction? transaction = null)
    {
        const string sql = "SELECT year, opens_on, closes_on FROM proposal_windows";
        return (await connection.QueryAsync<WindowRow>(sql, transaction: transaction))
            .ToDictionary(r => r.Year, r => new ProposalWindow(r.Year, r.OpensOn, r.ClosesOn, Configured));
    }

    /// <summary>The window in force for a year, given every configured one.</summary>
    public static ProposalWindow Effective(IReadOnlyDictionary<int, ProposalWindow> configured, ProposalOptions proposals, int year) =>
        configured.GetValueOrDefault(year) ?? DefaultFor(proposals, year);

    private static ProposalWindow DefaultFor(ProposalOptions proposals, int year) => new(year, null, proposals.DeadlineFor(year), Default);

    private sealed class WindowRow
    {
        public int Year { get; init; }
        public DateOnly OpensOn { get; init; }
        public DateOnly ClosesOn { get; init; }
    }
}
