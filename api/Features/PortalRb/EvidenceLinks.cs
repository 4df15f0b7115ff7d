using System.Buffers;
using System.Buffers.Text;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace ZonaIntegritas.Api.Features.PortalRb;

public enum LinkCheck { Valid, Expired, Invalid }

/// <summary>
/// Signed, expiring links for people who hold no key of ours (PortalRB's national evaluators): HMAC-SHA256 with
/// <c>PortalRb:LinkSecret</c> over what the link opens and its expiry. Nothing is stored; rotating the secret revokes
/// every link at once.
/// </summary>
public sealed class EvidenceLinks(IOptionsMonitor<PortalRbOptions> options, TimeProvider time)
{
    /// <summary>Expiry of links handed out now: LinkDays ahead, rounded up to midnight UTC so a day's fetches give identical links.</summary>
    public long ExpiryFromNow()
    {
        var until = time.GetUtcNow().AddDays(options.CurrentValue.LinkDays);
        var midnight = new DateTimeOffset(until.UtcDateTime.Date, TimeSpan.Zero);
        return (midnight < until ? midnight.AddDays(1) : midnight).ToUnixTimeSeconds();
    }

    /// <summary>The page listing one LKE item's evidence in one assessment.</summary>
    public string ItemPage(string origin, Guid assessmentId, string itemCode, long expires) =>
        $"{origin}{PortalRbOptions.BasePath}{EvidencePage.Segment}/{assessmentId:D}/{Uri.EscapeDataString(itemCode)}?exp={expires}&sig={Sign(ItemSubject(assessmentId, itemCode), expires)}";

    /// <summary>The current file of one evidence entry, relative (it is only linked from the item page).</summary>
    public string File(Guid assessmentId, string itemCode, Guid evidenceId, long expires) =>
        $"{PortalRbOptions.BasePath}{EvidencePage.Segment}/{assessmentId:D}/{Uri.EscapeDataString(itemCode)}/files/{evidenceId:D}?exp={expires}&sig={Sign(FileSubject(evidenceId), expires)}";

    public LinkCheck CheckItem(Guid assessmentId, string itemCode, long? expires, string? signature) => Check(ItemSubject(assessmentId, itemCode), expires, signature);

    public LinkCheck CheckFile(Guid evidenceId, long? expires, string? signature) => Check(FileSubject(evidenceId), expires, signature);

    private LinkCheck Check(string subject, long? expires, string? signature)
    {
        if (expires is not { } exp || string.IsNullOrEmpty(signature) || signature.Length > 100)
        {
            return LinkCheck.Invalid;
        }
        // The signature is checked first, so that a forged expiry is "invalid", not "expired".
        var expected = Encoding.ASCII.GetBytes(Sign(subject, exp));
        if (!CryptographicOperations.FixedTimeEquals(expected, Encoding.ASCII.GetBytes(signature)))
        {
            return LinkCheck.Invalid;
        }
        return time.GetUtcNow().ToUnixTimeSeconds() >= exp ? LinkCheck.Expired : LinkCheck.Valid;
    }

    private static string ItemSubject(Guid assessmentId, string itemCode) => $"item\n{assessmentId:D}\n{itemCode}";

    private static string FileSubject(Guid evidenceId) => $"file\n{evidenceId:D}";

    private string Sign(string subject, long expires)
    {
        var secret = options.CurrentValue.LinkSecret!;
        // The subject, a newline and up to 20 digits; an item code from a checked URL may be long, so rent past the stack buffer.
        var length = Encoding.UTF8.GetMaxByteCount(subject.Length) + 21;
        byte[]? rented = null;
        Span<byte> message = length <= MessageBytes ? stackalloc byte[MessageBytes] : (rented = ArrayPool<byte>.Shared.Rent(length));
        var written = Encoding.UTF8.GetBytes(subject, message);
        message[written++] = (byte)'\n';
        expires.TryFormat(message[written..], out var digits, default, CultureInfo.InvariantCulture);
        Span<byte> mac = stackalloc byte[HMACSHA256.HashSizeInBytes];
        var hmac = KeyedHmac(secret);
        hmac.AppendData(message[..(written + digits)]);
        hmac.GetHashAndReset(mac);
        if (rented is not null)
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
        return Base64Url.EncodeToString(mac);
    }

    private const int MessageBytes = 256;

    // One keyed HMAC per thread, reset after each signature rather than keyed anew: a jawaban-unit answer signs ~20 links,
    // and keying a fresh HMAC (and its OpenSSL context) for each was ~15 % of the call's CPU. A changed secret (rotation,
    // or another host in the same process) keys a new one.
    [ThreadStatic] private static IncrementalHash? t_hmac;
    [ThreadStatic] private static string? t_secret;

    private static IncrementalHash KeyedHmac(string secret)
    {
        if (t_hmac is null || !string.Equals(t_secret, secret, StringComparison.Ordinal))
        {
            t_hmac?.Dispose();
            t_hmac = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, Encoding.UTF8.GetBytes(secret));
            t_secret = secret;
        }
        return t_hmac;
    }
}
