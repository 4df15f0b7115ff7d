using FluentValidation;
using System.ComponentModel.DataAnnotations;
using ZonaIntegritas.Api.Features.Audit;
using ZonaIntegritas.Api.Features.Assessments;
using ZonaIntegritas.Api.Features.Designations;
using ZonaIntegritas.Api.Features.Frameworks;
using ZonaIntegritas.Api.Features.Scoring;

namespace ZonaIntegritas.Api.Features.Workflow;

public static class WorkflowEndpoints
{
    public static RouteGroupBuilder MapWorkflow(this RouteGroupBuilder api)
    {
        var group = api.MapGroup("/assessments/{id:guid}").WithTags("Assessment workflow").WithValidation();

        group.MapPost("/submit", Submit).RequireAuthorization(Policies.StartAssessments)
            .WithName("SubmitAssessment")
            .WithSummary("The unit submits its self-assessment (every scored self item answered)")
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict).ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        group.MapPost("/return", Return).RequireAuthorization(Policies.ManageDeclarations)
            .WithName("ReturnAssessment")
            .WithSummary("The TPI sends the assessment back to the unit with a note")
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
        group.MapPost("/review", Review).RequireAuthorization(Policies.ManageDeclarations)
            .WithName("ReviewAssessment")
            .WithSummary("The TPI completes its review (every scored TPI item answered)")
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict).ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        group.MapPost("/propose", Propose).RequireAuthorization(Policies.ManageDeclarations)
            .WithName("ProposeAssessment")
            .WithSummary("The TPI proposes the unit for its target predikat")
            .WithDescription("""
                Refused with 422 when: the TPI layer is not eligible for the target (the failing rules are listed); the unit has no
                active declaration; today is outside the assessment year's proposal window (PUT /proposal-windows/{year}; without one,
                Proposals:DeadlineMonthDay, default 05-31; the problem names the window);
                the unit had a designation revoked less than 2 years ago (the problem names the date it becomes eligible); or the target
                is WBBM and the unit holds no active WBK; the agency has no WTP audit opinion (opini BPK) for the prior year
                (rule audit_opinion_missing / audit_opinion_not_wtp); the agency's quota for the year and target is used up
                (rule proposal_quota_reached, naming the units already proposed). `afirmasi: true` marks an affirmative-action proposal (shown in compliance
                documents; PortalRB sees WBK units so marked as kategori WBK-AFIRMASI).
                """)
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict).ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        group.MapPost("/decide", Decide).RequireAuthorization(Policies.Decide)
            .WithName("DecideAssessment")
            .WithSummary("The national team (TPN) decides: designated or not_designated")
            .WithDescription("""
                Evaluator or admin, after the national evaluation: `designated` only from field_evaluated, and requires the TPN layer to be
                eligible for the target (creates the designation); `not_designated` also from passed_with_notes (follow-ups not delivered) or
                desk_evaluated (no field evaluation). `recommendations` are kept with the decision (GET /national-evaluation).
                """)
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict).ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        group.MapGet("/history", GetHistory)
            .WithName("GetAssessmentHistory")
            .WithSummary("Every status change: who, when, from, to and the note")
            .ProducesProblem(StatusCodes.Status404NotFound);
        return api;
    }

    public static Task<Results<Ok<Assessment>, ValidationProblem, ProblemHttpResult>> Submit(
        Guid id, TransitionRequest? request, Caller caller, DbConnectionFactory db, FrameworkCatalogue catalogue, TimeProvider time, CancellationToken cancellationToken) =>
        Move(id, "submit", AssessmentStatus.SelfSubmitted, request?.Note, caller, db, time, cancellationToken, async (connection, transaction, assessment) =>
            await Unanswered(connection, transaction, catalogue, assessment, Layers.Self) is { Count: > 0 } missing
                ? Unprocessable($"The self-assessment is incomplete: {missing.Count} scored item(s) unanswered ({Preview(missing)}).", new() { ["unanswered"] = missing })
                : null);

    public static Task<Results<Ok<Assessment>, ValidationProblem, ProblemHttpResult>> Return(
        Guid id, TransitionRequest? request, Caller caller, DbConnectionFactory db, TimeProvider time, CancellationToken cancellationToken) =>
        string.IsNullOrWhiteSpace(request?.Note)
            ? Task.FromResult<Results<Ok<Assessment>, ValidationProblem, ProblemHttpResult>>(Problems.Invalid("note", "note is required: tell the unit what to fix."))
            : Move(id, "return", AssessmentStatus.Returned, request.Note, caller, db, time, cancellationToken, (_, _, _) => Task.FromResult<IResult?>(null));

    public static Task<Results<Ok<Assessment>, ValidationProblem, ProblemHttpResult>> Review(
        Guid id, TransitionRequest? request, Caller caller, DbConnectionFactory db, FrameworkCatalogue catalogue, TimeProvider time, CancellationToken cancellationToken) =>
        Move(id, "review", AssessmentStatus.TpiReviewed, request?.Note, caller, db, time, cancellationToken, async (connection, transaction, assessment) =>
            await Unanswered(connection, transaction, catalogue, assessment, Layers.Tpi) is { Count: > 0 } missing
                ? Unprocessable($"The TPI review is incomplete: {missing.Count} scored item(s) unanswered ({Preview(missing)}).", new() { ["unanswered"] = missing })
                : null);

    public static Task<Results<Ok<Assessment>, ValidationProblem, ProblemHttpResult>> Propose(
        Guid id, ProposeRequest? request, Caller caller, DbConnectionFactory db, FrameworkCatalogue catalogue, IOptions<ProposalOptions> proposals,
        TimeProvider time, CancellationToken cancellationToken) =>
        Move(id, "propose", AssessmentStatus.Proposed, request?.Note, caller, db, time, cancellationToken, async (connection, transaction, assessment) =>
        {
            var today = IndonesiaClock.Today(time);
            var window = await ProposalWindows.For(connection, proposals.Value, assessment.Year, transaction);
            if (!window.Contains(today))
            {
                return Unprocessable($"Proposals for {assessment.Year} are accepted only within {window.Describe()}; today is {today:yyyy-MM-dd}.",
                    new() { ["window"] = window, ["deadline"] = window.ClosesOn });
            }
            if (await DesignationRules.LastRevocation(connection, assessment.UnitId, transaction) is { } revokedOn
                && today < revokedOn.AddYears(DesignationRules.RevocationBanYears))
            {
                var eligibleOn = revokedOn.AddYears(DesignationRules.RevocationBanYears);
                return Unprocessable($"A designation of this unit was revoked on {revokedOn:yyyy-MM-dd}; it can be proposed again from {eligibleOn:yyyy-MM-dd}.",
                    new() { ["eligibleAgainOn"] = eligibleOn });
            }
            const string declared = "SELECT COUNT(*) FROM declaration_units WHERE unit_id = @UnitId AND withdrawn_at IS NULL";
            if (await connection.ExecuteScalarAsync<int>(declared, new { assessment.UnitId }, transaction) == 0)
            {
                return Unprocessable("The unit has no active Zona Integritas declaration (pencanangan); declare it before proposing.", []);
            }
            var holdsWbk = await DesignationRules.HoldsActiveWbk(connection, assessment.UnitId, transaction);
            if (assessment.Target == Predikat.Wbbm && !holdsWbk)
            {
                return Unprocessable("WBBM can only be proposed for a unit holding an active WBK designation.", []);
            }
            if (await ProposalPrerequisites.Refusal(connection, transaction, assessment) is { } unmet)
            {
                return unmet;
            }
            var report = await Score(connection, transaction, catalogue, assessment, Layers.Tpi, holdsWbk);
            return report.Eligibility[assessment.Target].Eligible == true
                ? null
                : Unprocessable($"The TPI layer is not eligible for {assessment.Target}: {string.Join(", ", Failing(report, assessment.Target))} not met.",
                    new() { ["failedRules"] = Failing(report, assessment.Target) });
        }, afirmasi: request?.Afirmasi ?? false);

    public static async Task<Results<Ok<Assessment>, ValidationProblem, ProblemHttpResult>> Decide(
        Guid id, DecisionRequest request, Caller caller, DbConnectionFactory db, FrameworkCatalogue catalogue, TimeProvider time, CancellationToken cancellationToken)
    {
        request = request with { DecreeNumber = NormalizedText.Of(request.DecreeNumber) };
        var to = request.Outcome == "designated" ? AssessmentStatus.Designated : AssessmentStatus.NotDesignated;
        return await Move(id, "decide", to, request.Note, caller, db, time, cancellationToken, async (connection, transaction, assessment) =>
        {
            if (await DecreeDateProblem(connection, transaction, assessment, request.DecreeDate!.Value) is { } invalidDate)
            {
                return invalidDate;
            }
            if (to == AssessmentStatus.Designated && assessment.Status != AssessmentStatus.FieldEvaluated)
            {
                return NationalRules.Refuse(NationalRules.FieldEvaluationRequired,
                    $"A unit can be designated only after its field evaluation; the assessment is '{assessment.Status}' (not_designated is possible from here).", []);
            }
            await StageRecords.Insert(connection, transaction, caller, assessment.Id, StageRecords.Decision, request.Outcome, request.DecreeDate!.Value,
                notes: request.Note, recommendations: request.Recommendations);
            if (to != AssessmentStatus.Designated)
            {
                return null;
            }
            var holdsWbk = await DesignationRules.HoldsActiveWbk(connection, assessment.UnitId, transaction);
            var report = await Score(connection, transaction, catalogue, assessment, Layers.Tpn, holdsWbk);
            if (report.Eligibility[assessment.Target].Eligible != true)
            {
                return Unprocessable($"The TPN layer is not eligible for {assessment.Target}: {string.Join(", ", Failing(report, assessment.Target))} not met.",
                    new() { ["failedRules"] = Failing(report, assessment.Target) });
            }
            var designationId = Guid.NewGuid();
            const string insert = """
                INSERT INTO designations (id, unit_id, agency_id, predikat, decree_number, decree_date, assessment_id, created_at, created_by,
                                          superseded_by, revoked_on, revocation_reason, revocation_decree_number, revoked_at, revoked_by)
                VALUES (@Id, @UnitId, @AgencyId, @Predikat, @DecreeNumber, @DecreeDate, @AssessmentId, @Now, @By, NULL, NULL, NULL, NULL, NULL, NULL)
                """;
            await connection.ExecuteAsync(insert, new
            {
                Id = designationId, assessment.UnitId, assessment.AgencyId, Predikat = assessment.Target, request.DecreeNumber, request.DecreeDate,
                AssessmentId = assessment.Id, Now = time.GetUtcNow(), By = caller.KeyId,
            }, transaction);
            if (assessment.Target == Predikat.Wbbm)
            {
                // WBBM replaces the WBK as the unit's active predikat.
                const string supersede = """
                    UPDATE designations SET superseded_by = @Id
                    WHERE unit_id = @UnitId AND predikat = 'WBK' AND revoked_on IS NULL AND superseded_by IS NULL
                    """;
                await connection.ExecuteAsync(supersede, new { Id = designationId, assessment.UnitId }, transaction);
            }
            await connection.AuditAsync(transaction, caller, new AuditChange("designation.created", "designation", designationId.ToString(), assessment.AgencyId, assessment.UnitId,
                new { Predikat = assessment.Target, request.DecreeNumber, request.DecreeDate, AssessmentId = assessment.Id }));
            return null;
        });
    }

    /// <summary>
    /// A decree cannot predate what it decides on: the assessment's year, or the unit's declaration (otherwise a backdated
    /// decree moves the 2-year revocation ban into the past).
    /// </summary>
    private static async Task<ValidationProblem?> DecreeDateProblem(DbConnection connection, DbTransaction transaction, Assessment assessment, DateOnly decreeDate)
    {
        var yearStart = new DateOnly(assessment.Year, 1, 1);
        if (decreeDate < yearStart)
        {
            return Problems.Invalid("decreeDate", $"decreeDate {decreeDate:yyyy-MM-dd} is before the assessment's year {assessment.Year}; it must be on or after {yearStart:yyyy-MM-dd}.");
        }
        const string sql = """
            SELECT d.declared_on AS DeclaredOn
            FROM declaration_units du
            JOIN declarations d ON d.id = du.declaration_id
            WHERE du.unit_id = @UnitId AND du.withdrawn_at IS NULL
            """;
        var declared = (await connection.QueryAsync<DeclaredOnRow>(sql, new { assessment.UnitId }, transaction)).Select(r => r.DeclaredOn).DefaultIfEmpty().Max();
        return declared != default && decreeDate < declared
            ? Problems.Invalid("decreeDate", $"decreeDate {decreeDate:yyyy-MM-dd} is before the unit's declaration on {declared:yyyy-MM-dd}.")
            : null;
    }

    private sealed class DeclaredOnRow
    {
        public DateOnly DeclaredOn { get; init; }
    }

    public static async Task<Results<Ok<IReadOnlyList<Transition>>, ProblemHttpResult>> GetHistory(
        Guid id, Caller caller, DbConnectionFactory db, CancellationToken cancellationToken)
    {
        await using var connection = await db.OpenAsync(cancellationToken);
        if (await AssessmentQueries.FindVisible(connection, caller, id) is null)
        {
            return Problems.NotFound("Assessment", id);
        }
        const string sql = """
            SELECT sequence, action, from_status, to_status, note, transitioned_at, by_key
            FROM assessment_transitions WHERE assessment_id = @Id ORDER BY sequence
            """;
        return TypedResults.Ok<IReadOnlyList<Transition>>((await connection.QueryAsync<Transition>(sql, new { Id = id })).AsList());
    }

    internal delegate Task<IResult?> Guard(DbConnection connection, DbTransaction transaction, Assessment assessment);

    /// <summary>
    /// One transition: scope, allowed-from check (409), the step's own rules (422), the status change and its record, atomically.
    /// <paramref name="afirmasi"/> (propose only) is stored with the status.
    /// </summary>
    internal static async Task<Results<Ok<Assessment>, ValidationProblem, ProblemHttpResult>> Move(
        Guid id, string action, string to, string? note, Caller caller, DbConnectionFactory db, TimeProvider time, CancellationToken cancellationToken, Guard guard,
        bool? afirmasi = null)
    {
        await using var connection = await db.OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var assessment = await AssessmentQueries.FindVisible(connection, caller, id, transaction);
        if (assessment is null || (caller.Role is Roles.Unit or Roles.Inspectorate && !caller.CanWriteForUnit(assessment.UnitId, assessment.AgencyId)))
        {
            return Problems.NotFound("Assessment", id);
        }
        var allowed = AssessmentStatus.Allowed[assessment.Status];
        if (!allowed.Contains(action))
        {
            return Problems.Conflict(
                $"The assessment is '{assessment.Status}'; '{action}' is not possible from there. Allowed: {(allowed.Length == 0 ? "none (final)" : string.Join(", ", allowed))}.",
                new Dictionary<string, object?> { ["currentStatus"] = assessment.Status, ["allowedTransitions"] = allowed });
        }
        switch (await guard(connection, transaction, assessment))
        {
            case ValidationProblem invalid:
                return invalid;
            case ProblemHttpResult refusal:
                return refusal;
        }
        var now = time.GetUtcNow();
        const string update = "UPDATE assessments SET status = @To, afirmasi = @Afirmasi, updated_at = @Now WHERE id = @Id AND status = @From";
        var marked = afirmasi ?? assessment.Afirmasi;
        var changed = await connection.ExecuteAsync(update, new { Id = id, To = to, From = assessment.Status, Now = now, Afirmasi = marked }, transaction);
        if (changed == 0)
        {
            return Problems.Conflict("The assessment changed status concurrently; read it again and retry.");
        }
        await TransitionLog.Append(connection, transaction, id, action, assessment.Status, to, note, now, caller.KeyId);
        await connection.AuditAsync(transaction, caller, new AuditChange($"assessment.{action}", "assessment", id.ToString(), assessment.AgencyId, assessment.UnitId,
            afirmasi is null ? new { Status = new FieldChange(assessment.Status, to), Note = note }
                : new { Status = new FieldChange(assessment.Status, to), Note = note, Afirmasi = new FieldChange(assessment.Afirmasi, marked) }));
        await transaction.CommitAsync(cancellationToken);
        return TypedResults.Ok(assessment with { Status = to, UpdatedAt = now, Afirmasi = marked });
    }

    private static async Task<ScoreReport> Score(DbConnection connection, DbTransaction transaction, FrameworkCatalogue catalogue, Assessment assessment, string layer, bool holdsWbk)
    {
        catalogue.TryGet(assessment.FrameworkCode, out var framework);
        var answers = await AnswerStore.LoadValues(connection, assessment.Id, layer, transaction);
        return ScoreCalculator.Calculate(framework, answers, holdsWbk, layer);
    }

    private static async Task<List<string>> Unanswered(DbConnection connection, DbTransaction transaction, FrameworkCatalogue catalogue, Assessment assessment, string layer) =>
        (await Score(connection, transaction, catalogue, assessment, layer, holdsWbk: false)).Unanswered.ToList();

    private static List<string> Failing(ScoreReport report, string target) =>
        report.Eligibility[target].Rules.Where(r => r.Passed != true).Select(r => r.Rule).ToList();

    private static string Preview(List<string> items) => string.Join(", ", items.Take(5)) + (items.Count > 5 ? ", …" : "");

    private static ProblemHttpResult Unprocessable(string detail, Dictionary<string, object?> extensions) => Problems.Unprocessable(detail, extensions);
}
