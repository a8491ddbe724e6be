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

    public SymmetricSecurityKey Key()
    {
        if (string.IsNullOrWhiteSpace(SigningKey) || Encoding.UTF8.GetByteCount(SigningKey) < MinimumKeyBytes)
        {
            throw new InvalidOperationException(
                $"Jwt:SigningKey is missing or shorter than {MinimumKeyBytes} bytes. Set it in configuration " +
                "(environment variable Jwt__SigningKey); only the Development environment ships a key.");
        }
        return new SymmetricSecurityKey(Encoding.UTF8.GetBytes(SigningKey));
    }
}
