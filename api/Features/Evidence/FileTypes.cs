using System.IO.Compression;
using System.Text;

namespace ZonaIntegritas.Api.Features.Evidence;

/// <summary>
/// Decides a file's type from its bytes, never from the client's Content-Type or file name. Office documents are zip
/// files whose [Content_Types].xml names the main part; a zip without one is just a zip.
/// </summary>
public static class FileTypes
{
    public sealed record Detected(string MediaType, bool Allowed);

    private static readonly (string Part, string MediaType)[] OfficeParts =
    [
        ("word/document.xml", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
        ("xl/workbook.xml", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        ("ppt/presentation.xml", "application/vnd.openxmlformats-officedocument.presentationml.presentation"),
    ];

    public static Detected Detect(ReadOnlySpan<byte> header, string path)
    {
        if (header.StartsWith("%PDF-"u8)) return new("application/pdf", true);
        if (header.StartsWith((ReadOnlySpan<byte>)[0xFF, 0xD8, 0xFF])) return new("image/jpeg", true);
        if (header.StartsWith((ReadOnlySpan<byte>)[0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A])) return new("image/png", true);
        if (header.Length >= 12 && header.StartsWith("RIFF"u8) && header[8..12].SequenceEqual("WEBP"u8)) return new("image/webp", true);
        if (header.Length >= 12 && header[4..8].SequenceEqual("ftyp"u8))
        {
            var brand = Encoding.ASCII.GetString(header[8..12]);
            return brand is "heic" or "heix" or "heim" or "heis" or "mif1" or "msf1" or "hevc" or "hevx"
                ? new("image/heic", true)
                : brand.StartsWith("qt", StringComparison.Ordinal) ? new("video/quicktime", false) : new("video/mp4", true);
        }
        if (header.StartsWith("PK\x03\x04"u8)) return Office(path);
        if (header.StartsWith("MZ"u8)) return new("application/x-msdownload", false);
        if (header.StartsWith((ReadOnlySpan<byte>)[0x7F, (byte)'E', (byte)'L', (byte)'F'])) return new("application/x-executable", false);
        if (header.StartsWith("GIF8"u8)) return new("image/gif", false);
        if (header.StartsWith((ReadOnlySpan<byte>)[0x1F, 0x8B])) return new("application/gzip", false);
        return new("application/octet-stream", false);
    }

    private static Detected Office(string path)
    {
        try
        {
            using var zip = ZipFile.OpenRead(path);
            if (zip.GetEntry("[Content_Types].xml") is not null)
            {
                foreach (var (part, mediaType) in OfficeParts)
                {
                    if (zip.GetEntry(part) is not null)
                    {
                        return new(mediaType, true);
                    }
                }
            }
            return new("application/zip", false);
        }
        catch (InvalidDataException)
        {
            return new("application/zip", false);
        }
    }
}

public static class FileNames
{
    private const int MaximumLength = 120;
    private static readonly HashSet<string> Reserved = new(StringComparer.OrdinalIgnoreCase)
    {
        "CON", "PRN", "AUX", "NUL", "COM1", "COM2", "COM3", "COM4", "COM5", "COM6", "COM7", "COM8", "COM9",
        "LPT1", "LPT2", "LPT3", "LPT4", "LPT5", "LPT6", "LPT7", "LPT8", "LPT9",
    };

    /// <summary>A name safe to store and to offer for download: no path, no control, format or reserved characters, at most 120 characters.</summary>
    public static string Sanitize(string? name)
    {
        var leaf = (name ?? "").Replace('\\', '/');
        leaf = leaf[(leaf.LastIndexOf('/') + 1)..];
        var builder = new StringBuilder(leaf.Length);
        foreach (var c in leaf)
        {
            // Format characters (bidi overrides like U+202E, zero-width spaces and joiners) are dropped: they make
            // "invoice\u202Efdp.exe" display as "invoiceexe.pdf".
            if (char.GetUnicodeCategory(c) == System.Globalization.UnicodeCategory.Format)
            {
                continue;
            }
            builder.Append(char.IsControl(c) || c is '<' or '>' or ':' or '"' or '|' or '?' or '*' ? '_' : c);
        }
        var clean = builder.ToString().Trim().Trim('.', ' ');
        if (clean.Length == 0)
        {
            return "evidence";
        }
        var stem = Path.GetFileNameWithoutExtension(clean);
        if (Reserved.Contains(stem))
        {
            clean = "_" + clean;
        }
        if (clean.Length > MaximumLength)
        {
            var extension = Path.GetExtension(clean);
            extension = extension.Length > 10 ? "" : extension;
            clean = clean[..(MaximumLength - extension.Length)] + extension;
        }
        return clean;
    }
}
