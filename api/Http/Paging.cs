using FluentValidation;
namespace ZonaIntegritas.Api.Http;

/// <summary>A page of a list: <c>{items, page, pageSize, total}</c>.</summary>
public sealed record Page<T>(IReadOnlyList<T> Items, int PageNumber, int PageSize, long Total)
{
    // Serialised as "page" to match the query parameter.
    [System.Text.Json.Serialization.JsonPropertyName("page")]
    public int PageNumber { get; init; } = PageNumber;
}

/// <summary>Page number and size as given in the query string (1-based; size capped).</summary>
public readonly record struct PageRequest(int Page, int PageSize)
{
    public const int DefaultPageSize = 50;
    public const int MaximumPageSize = 200;

    public int Skip => (Page - 1) * PageSize;
    public int Take => PageSize;
}

/// <summary>A list's query string with paging; bound with <c>[AsParameters]</c> and checked by a <see cref="PagedQueryValidator{T}"/>.</summary>
public interface IPagedQuery
{
    int? Page { get; }
    int? PageSize { get; }

    /// <summary>The page asked for, with the defaults filled in (valid once the validator has passed).</summary>
    PageRequest Paging => new(Page ?? 1, PageSize ?? PageRequest.DefaultPageSize);
}

/// <summary>The paging rules of every list, worded here only; a list's validator adds its filters.</summary>
public abstract class PagedQueryValidator<T> : AbstractValidator<T> where T : IPagedQuery
{
    protected PagedQueryValidator()
    {
        RuleFor(q => q.Page).InclusiveBetween(1, 1_000_000).WithMessage("page must be between 1 and 1000000.");
        RuleFor(q => q.PageSize).InclusiveBetween(1, PageRequest.MaximumPageSize)
            .WithMessage($"pageSize must be between 1 and {PageRequest.MaximumPageSize}.");
    }
}

public static class PageQueries
{
    /// <summary>
    /// Runs the count and the page query with the same filter; <paramref name="select"/> ends in ORDER BY and gets the
    /// dialect's paging clause, bound to <c>@Skip</c>/<c>@Take</c>.
    /// </summary>
    public static async Task<Page<T>> QueryPageAsync<T>(
        this System.Data.Common.DbConnection connection, Data.ISqlDialect dialect, string count, string select, object? filter, PageRequest paging)
    {
        var parameters = new Dapper.DynamicParameters(filter);
        parameters.Add("Skip", paging.Skip);
        parameters.Add("Take", paging.Take);
        var total = await Dapper.SqlMapper.ExecuteScalarAsync<long>(connection, count, parameters);
        var items = Dapper.SqlMapper.AsList(await Dapper.SqlMapper.QueryAsync<T>(connection, select + dialect.Paging, parameters));
        return new Page<T>(items, paging.Page, paging.PageSize, total);
    }
}
