using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.IdentityModel.Tokens;

namespace CalfPainTracker.Security;

/// <summary>
/// Configuration section "Auth": the clinic's OpenID Connect provider, which signs staff in.
/// Without <see cref="Authority"/> the service trusts no provider and staff use shared-key tokens.
/// </summary>
public sealed class ClinicProviderSettings
{
    public const string Section = "Auth";

    /// <summary>The provider's issuer URL; its <c>/.well-known/openid-configuration</c> names the keys and endpoints.</summary>
    public string? Authority { get; set; }

    /// <summary>The <c>aud</c> the provider puts in access tokens meant for this service.</summary>
    public string Audience { get; set; } = "calfpaintracker-api";

    /// <summary>False only for a provider on plain http in local tests.</summary>
    public bool RequireHttpsMetadata { get; set; } = true;

    /// <summary>
    /// The claim naming the user. Entra ID's <c>sub</c> differs per application, so there take <c>oid</c>.
    /// A value that is not a UUID becomes one (see <see cref="ClinicProvider.UserId"/>).
    /// </summary>
    public string SubjectClaim { get; set; } = Caller.SubjectClaim;

    /// <summary>The claim holding the user's roles: a string, a JSON array, or a dotted path into an object (<c>realm_access.roles</c>).</summary>
    public string RoleClaim { get; set; } = Caller.RoleClaim;

    /// <summary>The claim holding the clinic's UUID.</summary>
    public string ClinicClaim { get; set; } = Caller.ClinicClaim;

    /// <summary>A single-clinic deployment whose provider has no clinic claim: every staff token belongs to this clinic.</summary>
    public Guid? FixedClinic { get; set; }

    /// <summary>The provider's name for each of our roles (keys: <c>physio</c>, <c>clinic-admin</c>, <c>patient</c>); unnamed roles keep our name.</summary>
    public Dictionary<string, string> Roles { get; set; } = new(StringComparer.Ordinal);

    /// <summary>The dashboard's client id at the provider: a public client, no secret.</summary>
    public string? ClientId { get; set; }

    public string Scope { get; set; } = "openid profile";

    /// <summary>How soon after a refresh a token with an unknown key id may make the service read the provider's keys again.</summary>
    public TimeSpan MetadataRefreshInterval { get; set; } = TimeSpan.FromMinutes(5);

    public bool Configured => !string.IsNullOrWhiteSpace(Authority);

    /// <summary>The issuer as written and with the other trailing slash: providers differ, and the token's <c>iss</c> picks the scheme.</summary>
    public IEnumerable<string> IssuerSpellings()
    {
        var trimmed = Authority!.TrimEnd('/');
        return [trimmed, trimmed + "/"];
    }

    /// <summary>The provider's origin, which the dashboard's page must be allowed to fetch from (discovery and token endpoint).</summary>
    public string? Origin() =>
        Configured && Uri.TryCreate(Authority, UriKind.Absolute, out var url) ? url.GetLeftPart(UriPartial.Authority) : null;
}

/// <summary>The dashboard's sign-in: the provider (null when none is configured) and whether pasting a token is offered.</summary>
public sealed record DashboardSignIn(string? Authority, string? ClientId, string? Scope, string? RedirectUri, bool PasteAllowed);

public static class ClinicProvider
{
    public const string Scheme = "ClinicProvider";

    /// <summary>Our roles, strongest first: a user holding several is signed in with the strongest.</summary>
    private static readonly string[] OurRoles = ["clinic-admin", "physio", "patient"];

    public static AuthenticationBuilder AddClinicProvider(this AuthenticationBuilder authentication, ClinicProviderSettings settings, IDictionary<string, string> schemeByIssuer)
    {
        ArgumentNullException.ThrowIfNull(authentication);
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(schemeByIssuer);
        if (!settings.Configured) return authentication;
        if (!Uri.TryCreate(settings.Authority, UriKind.Absolute, out var authority) || authority.Scheme is not ("http" or "https"))
        {
            throw new InvalidOperationException($"Auth:Authority must be the provider's absolute issuer URL; '{settings.Authority}' is not.");
        }
        foreach (var issuer in settings.IssuerSpellings()) schemeByIssuer[issuer] = Scheme;

        return authentication.AddJwtBearer(Scheme, options =>
        {
            options.Authority = settings.Authority;
            options.Audience = settings.Audience;
            options.RequireHttpsMetadata = settings.RequireHttpsMetadata;
            options.MapInboundClaims = false;
            // An unknown kid (the provider rotated its key) makes the handler ask for the JWKS
            // again, at most this often; RefreshOnIssuerKeyNotFound is on by default.
            options.RefreshInterval = settings.MetadataRefreshInterval;
            options.RefreshOnIssuerKeyNotFound = true;
            // ValidIssuer and the keys come from the discovery document.
            options.TokenValidationParameters = new TokenValidationParameters
            {
                ValidateIssuer = true,
                ValidateAudience = true,
                ValidAudience = settings.Audience,
                ValidAlgorithms = [SecurityAlgorithms.RsaSha256, SecurityAlgorithms.EcdsaSha256],
                NameClaimType = Caller.SubjectClaim,
                RoleClaimType = Caller.RoleClaim,
                ClockSkew = TimeSpan.FromSeconds(30),
            };
            options.Events = BearerSchemes.Answers(context =>
            {
                context.Principal = context.Principal is null ? null : Map(context.Principal, settings);
                return Task.CompletedTask;
            });
        });
    }

    /// <summary>
    /// What the dashboard's page needs to sign staff in: no secret, only where to go. Pasting a
    /// token is offered where no provider is configured (a deployment with a token service of
    /// its own) and in Development; elsewhere staff sign in with the clinic's account.
    /// </summary>
    public static DashboardSignIn SignInFor(ClinicProviderSettings settings, PublicAddress address, IHostEnvironment environment)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(address);
        ArgumentNullException.ThrowIfNull(environment);
        return settings.Configured && !string.IsNullOrWhiteSpace(settings.ClientId)
            ? new DashboardSignIn(settings.Authority!.TrimEnd('/'), settings.ClientId, settings.Scope, address.Link("/dashboard"), environment.IsDevelopment())
            : new DashboardSignIn(null, null, null, null, PasteAllowed: !settings.Configured || environment.IsDevelopment());
    }

    /// <summary>
    /// The provider's claims in our names. Claims the provider sends under our names are not
    /// taken as they are: only the configured ones count, so a provider that lets users edit
    /// a <c>role</c> attribute cannot make them clinic administrators.
    /// </summary>
    public static ClaimsPrincipal Map(ClaimsPrincipal principal, ClinicProviderSettings settings)
    {
        ArgumentNullException.ThrowIfNull(principal);
        ArgumentNullException.ThrowIfNull(settings);
        var claims = new List<Claim>();
        var subject = principal.FindFirst(settings.SubjectClaim);
        if (subject is not null && !string.IsNullOrWhiteSpace(subject.Value))
        {
            claims.Add(new Claim(Caller.SubjectClaim, UserId(subject.Issuer, subject.Value).ToString()));
        }
        var held = Values(principal, settings.RoleClaim).ToHashSet(StringComparer.Ordinal);
        var role = OurRoles.FirstOrDefault(ours => held.Contains(settings.Roles.GetValueOrDefault(ours, ours)));
        if (role is not null) claims.Add(new Claim(Caller.RoleClaim, role));
        var clinic = settings.FixedClinic?.ToString() ?? Values(principal, settings.ClinicClaim).FirstOrDefault(v => Guid.TryParse(v, out _));
        if (clinic is not null) claims.Add(new Claim(Caller.ClinicClaim, Guid.Parse(clinic).ToString()));
        return new ClaimsPrincipal(new ClaimsIdentity(claims, Scheme, Caller.SubjectClaim, Caller.RoleClaim));
    }

    /// <summary>
    /// The user's id: the subject itself when it is a UUID (Entra's oid, Keycloak's sub), otherwise
    /// a UUID derived from SHA-256 of "issuer|subject", stable across sign-ins and distinct per provider.
    /// </summary>
    public static Guid UserId(string issuer, string subject)
    {
        if (Guid.TryParse(subject, out var id)) return id;
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes($"{issuer}|{subject}"));
        // RFC 9562 version 8 (custom) with the RFC variant, so it reads as a well-formed UUID.
        hash[6] = (byte)((hash[6] & 0x0F) | 0x80);
        hash[8] = (byte)((hash[8] & 0x3F) | 0x80);
        return new Guid(hash.AsSpan(0, 16), bigEndian: true);
    }

    /// <summary>A claim's values, whether sent as repeated claims, a JSON array, or nested under a dotted path.</summary>
    private static IEnumerable<string> Values(ClaimsPrincipal principal, string claim)
    {
        var direct = principal.FindAll(claim).Select(c => c.Value).ToList();
        if (direct.Count > 0) return direct.SelectMany(Flatten);
        var dot = claim.IndexOf('.', StringComparison.Ordinal);
        if (dot <= 0) return [];
        var outer = principal.FindFirst(claim[..dot])?.Value;
        if (outer is null) return [];
        try
        {
            using var document = JsonDocument.Parse(outer);
            var node = document.RootElement;
            foreach (var step in claim[(dot + 1)..].Split('.'))
            {
                if (node.ValueKind != JsonValueKind.Object || !node.TryGetProperty(step, out node)) return [];
            }
            return Strings(node).ToList();
        }
        catch (JsonException)
        {
            return [];
        }
    }

    private static IEnumerable<string> Flatten(string value)
    {
        if (!value.StartsWith('[')) return [value];
        try
        {
            using var document = JsonDocument.Parse(value);
            return Strings(document.RootElement).ToList();
        }
        catch (JsonException)
        {
            return [value];
        }
    }

    private static IEnumerable<string> Strings(JsonElement node) => node.ValueKind switch
    {
        JsonValueKind.String => [node.GetString()!],
        JsonValueKind.Array => node.EnumerateArray().Where(e => e.ValueKind == JsonValueKind.String).Select(e => e.GetString()!),
        _ => [],
    };
}
