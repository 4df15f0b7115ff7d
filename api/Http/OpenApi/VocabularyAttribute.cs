namespace ZonaIntegritas.Api.Http.OpenApi;

/// <summary>
/// A response property that only ever holds one of a closed list of values, named by the static member that the
/// validators already use (<c>[Vocabulary(typeof(Roles), nameof(Roles.All))]</c>): the document lists them as an enum.
/// </summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Parameter)]
public sealed class VocabularyAttribute(Type holder, string member) : Attribute
{
    public IReadOnlyList<string> Values =>
        (holder.GetField(member)?.GetValue(null) ?? holder.GetProperty(member)?.GetValue(null)) as IEnumerable<string> is { } values
            ? values.ToList()
            : throw new InvalidOperationException($"{holder.Name}.{member} is not a static list of strings.");
}
