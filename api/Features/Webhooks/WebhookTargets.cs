using System.Net;
using System.Net.Sockets;

namespace ZonaIntegritas.Api.Features.Webhooks;

/// <summary>
/// Where webhooks may be sent (SSRF guard). Outside Development only https, and only to public addresses: loopback,
/// private, link-local (cloud metadata at 169.254.169.254 among them), unique-local, CGNAT, multicast and reserved
/// ranges are refused. Loopback is allowed in Development and Testing (plain http too), so that a receiver on the
/// same machine works there. The same rules are applied when a webhook is created and to every address a name
/// resolves to when it is sent (<see cref="WebhookSender"/> connects only to the addresses it checked).
/// </summary>
public sealed class WebhookTargets(IHostEnvironment environment)
{
    private bool Development => environment.IsDevelopment();
    private bool Testing => environment.IsEnvironment("Testing");

    /// <summary>A message naming what is wrong with the URL itself, or null.</summary>
    public string? UrlProblem(string url)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("https" or "http"))
        {
            return "url must be an absolute http(s) URL.";
        }
        if (!string.IsNullOrEmpty(uri.UserInfo))
        {
            return "url must not contain credentials; authenticate receivers by the signature.";
        }
        if (!string.IsNullOrEmpty(uri.Fragment))
        {
            return "url must not contain a fragment.";
        }
        var loopbackName = uri.IsLoopback;
        if (uri.Scheme == "http" && !Development && !(Testing && loopbackName))
        {
            return "url must use https.";
        }
        if (IPAddress.TryParse(uri.DnsSafeHost, out var literal))
        {
            return AddressProblem(literal);
        }
        if (loopbackName || uri.DnsSafeHost.EndsWith(".localhost", StringComparison.OrdinalIgnoreCase))
        {
            return AddressProblem(IPAddress.Loopback);
        }
        return null;
    }

    /// <summary>Why an address may not be connected to, or null when it may.</summary>
    public string? AddressProblem(IPAddress address)
    {
        if (Development)
        {
            return null;
        }
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }
        if (IPAddress.IsLoopback(address))
        {
            return Testing ? null : $"url resolves to a loopback address ({address}), which is not allowed.";
        }
        return Kind(address) is { } kind ? $"url resolves to a {kind} address ({address}), which is not allowed." : null;
    }

    private static string? Kind(IPAddress address)
    {
        var b = address.GetAddressBytes();
        if (address.AddressFamily == AddressFamily.InterNetwork)
        {
            return b[0] switch
            {
                0 => "reserved",
                10 => "private",
                100 when b[1] >= 64 && b[1] < 128 => "shared (CGNAT)",
                169 when b[1] == 254 => "link-local",
                172 when b[1] >= 16 && b[1] < 32 => "private",
                192 when b[1] == 168 => "private",
                192 when b[1] == 0 && b[2] is 0 or 2 => "reserved",
                198 when b[1] is 18 or 19 => "reserved",
                198 when b[1] == 51 && b[2] == 100 => "reserved",
                203 when b[1] == 0 && b[2] == 113 => "reserved",
                >= 224 and < 240 => "multicast",
                >= 240 => "reserved",
                _ => null,
            };
        }
        if (address.Equals(IPAddress.IPv6None) || address.Equals(IPAddress.IPv6Any))
        {
            return "reserved";
        }
        return address switch
        {
            { IsIPv6Multicast: true } => "multicast",
            { IsIPv6LinkLocal: true } => "link-local",
            { IsIPv6SiteLocal: true } => "site-local",
            { IsIPv6UniqueLocal: true } => "unique-local",
            _ when b[0] == 0x20 && b[1] == 0x01 && b[2] == 0x0d && b[3] == 0xb8 => "documentation",
            // NAT64 and 6to4 carry an IPv4 address that could be private.
            _ when b[0] == 0x00 && b[1] == 0x64 && b[2] == 0xff && b[3] == 0x9b => Kind(new IPAddress(b[12..16])) ?? (IPAddress.IsLoopback(new IPAddress(b[12..16])) ? "loopback" : null),
            _ when b[0] == 0x20 && b[1] == 0x02 => Kind(new IPAddress(b[2..6])) ?? (IPAddress.IsLoopback(new IPAddress(b[2..6])) ? "loopback" : null),
            _ => null,
        };
    }
}
