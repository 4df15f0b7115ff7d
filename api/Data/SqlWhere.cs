namespace ZonaIntegritas.Api.Data;

/// <summary>
/// The WHERE clause of a list query with optional filters: each condition is a constant fragment, added only when its
/// filter is given, so every combination is its own statement and gets its own plan. "@X IS NULL OR column = @X"
/// would make one plan serve all combinations, which for most of them is a scan. Values stay parameters.
/// </summary>
public sealed class SqlWhere
{
    private readonly List<string> _conditions = [];

    public SqlWhere Always(string condition)
    {
        _conditions.Add(condition);
        return this;
    }

    public SqlWhere When(bool given, string condition) => given ? Always(condition) : this;

    /// <summary>" WHERE a AND b", with its leading space, or nothing: appended to a statement's FROM.</summary>
    public override string ToString() => _conditions.Count == 0 ? "" : " WHERE " + string.Join(" AND ", _conditions);
}
