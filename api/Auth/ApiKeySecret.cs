using System.Security.Cryptography;
using System.Text;

namespace ZonaIntegritas.Api.Auth;

/// <summary>API key material: generated at random, stored only as its SHA-256.</summary>
public static class ApiKeySecret
{
    public const string HeaderName = "X-Api-Key";
    private const string Prefix = "zi_";

    /// <summary>32 random bytes, base64url, with a recognisable prefix for secret scanners.</summary>
    public static string Generate() => Prefix + Base64Url(RandomNumberGenerator.GetBytes(32));

    public static byte[] Hash(string key) => SHA256.HashData(Encoding.UTF8.GetBytes(key));

    /// <summary>The first characters, kept so that people can tell their keys apart without the secret.</summary>
    public static string DisplayPrefix(string key) => key.Length <= 10 ? key[..Math.Min(4, key.Length)] : key[..10];

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
