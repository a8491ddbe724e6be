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
