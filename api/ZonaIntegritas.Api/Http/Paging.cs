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

    /// <summary>Null when the values are valid; otherwise the field errors.</summary>
    public static Dictionary<string, string[]>? Validate(int? page, int? pageSize, out PageRequest request)
    {
        request = new PageRequest(page ?? 1, pageSize ?? DefaultPageSize);
        Dictionary<string, string[]>? errors = null;
        if (request.Page < 1 || request.Page > 1_000_000)
        {
            (errors ??= [])["page"] = ["page must be between 1 and 1000000."];
        }
        if (request.PageSize < 1 || request.PageSize > MaximumPageSize)
        {
            (errors ??= [])["pageSize"] = [$"pageSize must be between 1 and {MaximumPageSize}."];
        }
        return errors;
    }
}
