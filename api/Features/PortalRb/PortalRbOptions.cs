using System.ComponentModel.DataAnnotations;

namespace ZonaIntegritas.Api.Features.PortalRb;

/// <summary>Bound from the <c>PortalRb</c> section.</summary>
public sealed class PortalRbOptions : IValidatableObject
{
    public const string Section = "PortalRb";

    /// <summary>The base URL to register in PortalRB is this service's origin followed by this path.</summary>
    public const string BasePath = "/portalrb/v1";

    public const int MinimumSecretLength = 32;

    /// <summary>
    /// The HMAC key that signs evidence links (environment: <c>PortalRb__LinkSecret</c>). Changing it revokes every link
    /// handed out so far; PortalRB gets fresh ones on its next fetch.
    /// </summary>
    public string? LinkSecret { get; set; }

    /// <summary>How long an evidence link stays valid (rounded up to the next midnight UTC, so a day's fetches give the same links).</summary>
    [Range(1, 3650, ErrorMessage = "PortalRb:LinkDays must be between 1 and 3650 (days an evidence link stays valid).")]
    public int LinkDays { get; set; } = 90;

    /// <summary>
    /// The public origin evidence links start with (e.g. <c>https://zi.pu.go.id</c>); empty: the scheme and host of the
    /// request PortalRB made (behind a proxy, enable forwarded headers).
    /// </summary>
    public string? PublicBaseUrl { get; set; }

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (LinkSecret is not { Length: >= MinimumSecretLength })
        {
            yield return new ValidationResult(
                $"PortalRb:LinkSecret must be set to at least {MinimumSecretLength} characters (it signs the evidence links PortalRB's evaluators open); "
                + "generate one with `openssl rand -base64 48` and set it as PortalRb__LinkSecret.", [nameof(LinkSecret)]);
        }
        if (PublicBaseUrl is { Length: > 0 } origin
            && !(Uri.TryCreate(origin, UriKind.Absolute, out var uri) && uri.Scheme is "https" or "http" && uri.AbsolutePath == "/" && !origin.EndsWith('/')))
        {
            yield return new ValidationResult(
                $"PortalRb:PublicBaseUrl must be an origin such as https://zi.example.go.id (scheme and host, no path, no trailing slash); got '{origin}'.",
                [nameof(PublicBaseUrl)]);
        }
    }
}
