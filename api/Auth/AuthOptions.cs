using System.ComponentModel.DataAnnotations;

namespace ZonaIntegritas.Api.Auth;

/// <summary>Bound from the <c>Auth</c> section.</summary>
public sealed class AuthOptions : IValidatableObject
{
    public const string Section = "Auth";
    public const int MinimumKeyLength = 32;

    /// <summary>Becomes the admin key when no admin key exists yet (environment: <c>Auth__BootstrapAdminKey</c>).</summary>
    public string? BootstrapAdminKey { get; set; }

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (BootstrapAdminKey is { } key && key.Length < MinimumKeyLength)
        {
            yield return new ValidationResult(
                $"Auth:BootstrapAdminKey must be at least {MinimumKeyLength} characters long; generate one with `openssl rand -base64 32` and set it as Auth__BootstrapAdminKey.",
                [nameof(BootstrapAdminKey)]);
        }
    }
}
