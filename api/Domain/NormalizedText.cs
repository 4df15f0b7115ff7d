using System.Globalization;
using System.Text;
using ICU4N.Text;

namespace ZonaIntegritas.Api.Domain;

/// <summary>
/// The one form in which names, codes, indicators and decree numbers are stored and compared, so that two values a reader
/// cannot tell apart are the same value: Unicode NFKC (full-width letters, no-break spaces and NFD sequences fold to their
/// plain forms), format characters removed (zero-width spaces and joiners, bidi controls), whitespace runs collapsed to one
/// space, and trimmed.
/// </summary>
public static class NormalizedText
{
    private static readonly Normalizer2 Nfkc = Normalizer2.NFKCInstance;

    public static string? Of(string? value)
    {
        if (value is null)
        {
            return null;
        }
        // string.Normalize does nothing under InvariantGlobalization, which this service runs with; ICU4N carries its own data.
        var folded = Nfkc.Normalize(value);
        var builder = new StringBuilder(folded.Length);
        var pendingSpace = false;
        foreach (var c in folded)
        {
            if (char.GetUnicodeCategory(c) == UnicodeCategory.Format)
            {
                continue;
            }
            if (char.IsWhiteSpace(c) || char.IsControl(c))
            {
                pendingSpace = builder.Length > 0;
                continue;
            }
            if (pendingSpace)
            {
                builder.Append(' ');
                pendingSpace = false;
            }
            builder.Append(c);
        }
        return builder.ToString();
    }
}
