using FluentValidation;
using Microsoft.AspNetCore.Mvc;
using ZonaIntegritas.Api.Features.Assessments;

namespace ZonaIntegritas.Api.Features.Compliance;

/// <summary>The query string of GET /compliance: the filters of <see cref="ComplianceQueries"/> and a page.</summary>
public sealed record ComplianceListQuery(
    [FromQuery(Name = "agencyId")] Guid? AgencyId,
    [FromQuery(Name = "stage"), Vocabulary(typeof(ComplianceQueries), nameof(ComplianceQueries.Stages))] string? Stage,
    [FromQuery(Name = "predikat"), Vocabulary(typeof(Frameworks.Predikat), nameof(Frameworks.Predikat.All))] string? Predikat,
    [FromQuery(Name = "year")] int? Year,
    [FromQuery(Name = "flag"), Vocabulary(typeof(ComplianceDocuments), nameof(ComplianceDocuments.Flags))] string? Flag,
    [FromQuery(Name = "page")] int? Page,
    [FromQuery(Name = "pageSize")] int? PageSize,
    [FromQuery(Name = "nationalStage"), Vocabulary(typeof(AssessmentStatus), nameof(AssessmentStatus.National))] string? NationalStage) : IPagedQuery;

public sealed class ComplianceListQueryValidator : PagedQueryValidator<ComplianceListQuery>
{
    public ComplianceListQueryValidator()
    {
        RuleFor(q => q.Stage).OneOf(ComplianceQueries.Stages).WithMessage($"stage must be one of: {string.Join(", ", ComplianceQueries.Stages)}.");
        RuleFor(q => q.Predikat).OneOf(Frameworks.Predikat.All).WithMessage(Frameworks.Predikat.Invalid);
        RuleFor(q => q.Year).ValidYear();
        RuleFor(q => q.Flag).OneOf(ComplianceDocuments.Flags).WithMessage($"flag must be one of: {string.Join(", ", ComplianceDocuments.Flags)}.");
        RuleFor(q => q.NationalStage).OneOf(AssessmentStatus.National)
            .WithMessage($"nationalStage must be one of: {string.Join(", ", AssessmentStatus.National)}.");
    }
}

/// <summary>The query string of the compliance reads without filters: a unit's document and the summaries.</summary>
public sealed record ComplianceYearQuery([FromQuery(Name = "year")] int? Year);

public sealed class ComplianceYearQueryValidator : AbstractValidator<ComplianceYearQuery>
{
    public ComplianceYearQueryValidator() => RuleFor(q => q.Year).ValidYear();
}

/// <summary>The query string of GET /compliance/export (every unit in scope, so no page).</summary>
public sealed record ComplianceExportQuery([FromQuery(Name = "agencyId")] Guid? AgencyId, [FromQuery(Name = "year")] int? Year);

public sealed class ComplianceExportQueryValidator : AbstractValidator<ComplianceExportQuery>
{
    public ComplianceExportQueryValidator() => RuleFor(q => q.Year).ValidYear();
}
