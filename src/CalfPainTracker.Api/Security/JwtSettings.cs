using System.Text;
using Microsoft.IdentityModel.Tokens;

namespace CalfPainTracker.Security;

/// <summary>Configuration section "Jwt": who issues tokens, for whom, and the key that signs them.</summary>
public sealed class JwtSettings
{
    public const string Section = "Jwt";

    /// <summary>HMAC-SHA256 needs at least 256 bits of key.</summary>
    public const int MinimumKeyBytes = 32;

    public string Issuer { get; set; } = "calfpaintracker";
    public string Audience { get; set; } = "calfpaintracker-api";
    public string? SigningKey { get; set; }

    /// <summary>Keys printed in this repository (appsettings.Development.json, an earlier docker-compose.yml): anyone can sign tokens with them.</summary>
    private static readonly string[] PublishedKeys =
    [
        "development-only-signing-key-never-use-in-production-0123456789",
        "compose-local-signing-key-change-me-0123456789",
    ];

    /// <summary>Outside Development a published key is as good as none: refuse to start rather than accept tokens anyone can mint.</summary>
    public void RefusePublishedKey(IHostEnvironment environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        if (!environment.IsDevelopment() && PublishedKeys.Contains(SigningKey, StringComparer.Ordinal))
        {
            throw new InvalidOperationException(
                $"Jwt:SigningKey is a sample key published with the source code; set a secret of your own of at least {MinimumKeyBytes} bytes " +
                "(environment variable Jwt__SigningKey, e.g. from `openssl rand -base64 48`).");
        }
    }

    /// <summary>
    /// The shared key, which any holder can sign a clinic administrator's token with. With the
    /// clinic's provider configured staff need none, so it may be left unset: then the service
    /// accepts no shared-key token at all (null). Without a provider it is the only way staff
    /// sign in, and the service refuses to start without it.
    /// </summary>
    public SymmetricSecurityKey? KeyBeside(ClinicProviderSettings provider)
    {
        ArgumentNullException.ThrowIfNull(provider);
        return provider.Configured && string.IsNullOrEmpty(SigningKey) ? null : Key();
    }

    public SymmetricSecurityKey Key()
    {
        if (string.IsNullOrWhiteSpace(SigningKey) || Encoding.UTF8.GetByteCount(SigningKey) < MinimumKeyBytes)
        {
            throw new InvalidOperationException(
                $"Jwt:SigningKey is missing or shorter than {MinimumKeyBytes} bytes. Set it in configuration " +
                "(environment variable Jwt__SigningKey), or leave it unset beside a clinic provider (Auth:Authority); only the Development environment ships a key.");
        }
        return new SymmetricSecurityKey(Encoding.UTF8.GetBytes(SigningKey));
    }
}
