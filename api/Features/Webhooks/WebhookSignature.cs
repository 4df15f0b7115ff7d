using System.Security.Cryptography;
using System.Text;

namespace ZonaIntegritas.Api.Features.Webhooks;

/// <summary>
/// Standard Webhooks signing: the secret is <c>whsec_</c> + base64 of the key bytes; the signature is
/// <c>v1,</c> + base64(HMAC-SHA256(key, "{Webhook-Id}.{Webhook-Timestamp}.{body}")), the timestamp in Unix seconds.
/// </summary>
public static class WebhookSignature
{
    public const string Prefix = "whsec_";

    public static string NewSecret() => Prefix + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

    /// <summary>The key bytes of a well-formed secret (24 to 64 bytes), or null.</summary>
    public static byte[]? Key(string? secret)
    {
        if (secret is null || !secret.StartsWith(Prefix, StringComparison.Ordinal))
        {
            return null;
        }
        var buffer = new byte[96];
        return Convert.TryFromBase64String(secret[Prefix.Length..], buffer, out var length) && length is >= 24 and <= 64 ? buffer[..length] : null;
    }

    public static string Sign(string secret, string id, long timestamp, string body)
    {
        var key = Key(secret) ?? throw new InvalidOperationException("The stored webhook secret is malformed.");
        var mac = HMACSHA256.HashData(key, Encoding.UTF8.GetBytes($"{id}.{timestamp}.{body}"));
        return "v1," + Convert.ToBase64String(mac);
    }
}
