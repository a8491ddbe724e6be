using System.Collections.Immutable;
using System.Net.Http.Json;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.IdentityModel.Tokens;
using OpenIddict.Abstractions;
using OpenIddict.Server;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace CalfPainTracker.Tests.Infrastructure;

/// <summary>
/// A real OpenID Connect provider (OpenIddict's server, degraded mode: clients and users are
/// fixed here rather than stored) on a loopback port, standing in for a clinic's Entra ID or
/// Keycloak. It names things as such providers do: the user id in <c>oid</c>, roles in a
/// <c>roles</c> array with its own role names, the clinic in <c>tenant</c>, so the service's
/// mapping is exercised by configuration. Anyone may ask it for any staff member's token
/// (<see cref="Token"/>); the browser's sign-in is approved at once for <see cref="SignedIn"/>.
/// </summary>
public sealed class TestIdentityProvider : IAsyncDisposable
{
    public const string DashboardClient = "calfpain-dashboard";
    public const string RobotClient = "test-robot";
    public const string RobotSecret = "test-robot-secret";
    public const string SubjectClaim = "oid";
    public const string RoleClaim = "roles";
    public const string ClinicClaim = "tenant";
    public const string PhysioRole = "Physiotherapist";
    public const string AdminRole = "Clinic.Administrator";

    private readonly string _audience;
    private readonly TimeSpan _accessTokenLifetime;
    private WebApplication _app;

    private TestIdentityProvider(WebApplication app, int port, string issuer, SecurityKey key, string audience, TimeSpan accessTokenLifetime)
    {
        _app = app;
        Port = port;
        Issuer = issuer;
        Key = key;
        _audience = audience;
        _accessTokenLifetime = accessTokenLifetime;
    }

    public int Port { get; }

    public string Url => $"http://127.0.0.1:{Port}";

    /// <summary>As the provider writes it in tokens and its discovery document.</summary>
    public string Issuer { get; }

    public SecurityKey Key { get; private set; }

    /// <summary>The one the browser is signed in as at the authorization endpoint.</summary>
    public Staff? SignedIn { get; set; }

    /// <summary>Where the dashboard may be sent back to with a code.</summary>
    public HashSet<string> RedirectUris { get; } = new(StringComparer.Ordinal);

    /// <summary>A staff member as the provider knows them: the id, its role names, the clinic.</summary>
    public sealed record Staff(Guid Id, Guid Clinic, params string[] Roles);

    public static RsaSecurityKey RsaKey(string keyId) => new(RSA.Create(2048)) { KeyId = keyId };

    public static ECDsaSecurityKey EcKey(string keyId) => new(ECDsa.Create(ECCurve.NamedCurves.nistP256)) { KeyId = keyId };

    /// <param name="issuer">Another provider's issuer: an impostor claiming to be it.</param>
    public static async Task<TestIdentityProvider> Start(string audience, SecurityKey? key = null, string? issuer = null, int? port = null, TimeSpan? accessTokenLifetime = null)
    {
        var chosenPort = port ?? PostgresServer.FreePort();
        key ??= RsaKey("rsa-" + Guid.NewGuid().ToString("N")[..8]);
        issuer ??= $"http://127.0.0.1:{chosenPort}/";
        var provider = new TestIdentityProvider(null!, chosenPort, issuer, key, audience, accessTokenLifetime ?? TimeSpan.FromMinutes(10));
        provider._app = await provider.Host(key);
        return provider;
    }

    /// <summary>Key rotation as a provider does it: the same address, a new signing key, the old one gone.</summary>
    public async Task RotateTo(SecurityKey key)
    {
        await _app.DisposeAsync();
        Key = key;
        _app = await Host(key);
    }

    /// <summary>An access token for <paramref name="staff"/> (client credentials, with the test's say on whom it names).</summary>
    public async Task<string> Token(Staff staff, string? audience = null)
    {
        using var client = new HttpClient();
        var form = new Dictionary<string, string>
        {
            ["grant_type"] = GrantTypes.ClientCredentials,
            ["client_id"] = RobotClient,
            ["client_secret"] = RobotSecret,
            ["test_user"] = staff.Id.ToString(),
            ["test_clinic"] = staff.Clinic.ToString(),
            ["test_roles"] = string.Join(' ', staff.Roles),
            ["test_audience"] = audience ?? _audience,
        };
        using var response = await client.PostAsync($"{Url}/connect/token", new FormUrlEncodedContent(form));
        var body = await response.Content.ReadFromJsonAsync<JsonObject>();
        Assert.True(response.IsSuccessStatusCode, $"The provider refused a token: {body}");
        return body!["access_token"]!.GetValue<string>();
    }

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();

    private async Task<WebApplication> Host(SecurityKey key)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory, EnvironmentName = "Production" });
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls(Url);
        // The dashboard's page fetches discovery and redeems its code from the service's origin.
        builder.Services.AddCors();
        builder.Services.AddOpenIddict().AddServer(options =>
        {
            options.EnableDegradedMode();
            options.DisableTokenStorage();
            options.SetIssuer(new Uri(Issuer));
            options.SetAuthorizationEndpointUris("connect/authorize").SetTokenEndpointUris("connect/token");
            options.AllowAuthorizationCodeFlow().RequireProofKeyForCodeExchange().AllowClientCredentialsFlow();
            options.RegisterScopes(Scopes.OpenId, Scopes.Profile);
            options.AddSigningKey(key);
            // Authorization codes are encrypted; access tokens are plain signed JWTs, as Entra and Keycloak issue.
            options.AddEphemeralEncryptionKey();
            options.DisableAccessTokenEncryption();
            options.SetAccessTokenLifetime(_accessTokenLifetime);
            options.UseAspNetCore().DisableTransportSecurityRequirement();

            // Degraded mode leaves client checks to the host: these are the two clients there are.
            options.AddEventHandler<OpenIddictServerEvents.ValidateAuthorizationRequestContext>(handler => handler.UseInlineHandler(context =>
            {
                if (context.ClientId != DashboardClient) context.Reject(Errors.InvalidClient, "Unknown client.");
                else if (!RedirectUris.Contains(context.RedirectUri ?? "")) context.Reject(Errors.InvalidRequest, "Unregistered redirect_uri.");
                return default;
            }));
            options.AddEventHandler<OpenIddictServerEvents.ValidateTokenRequestContext>(handler => handler.UseInlineHandler(context =>
            {
                var known = context.Request.IsClientCredentialsGrantType()
                    ? context.ClientId == RobotClient && context.Request.ClientSecret == RobotSecret
                    : context.ClientId == DashboardClient && context.Request.ClientSecret is null;
                if (!known) context.Reject(Errors.InvalidClient, "Unknown client or wrong secret.");
                return default;
            }));
            options.AddEventHandler<OpenIddictServerEvents.HandleAuthorizationRequestContext>(handler => handler.UseInlineHandler(context =>
            {
                if (SignedIn is null) context.Reject(Errors.AccessDenied, "Nobody is signed in at the test provider.");
                else context.SignIn(Principal(SignedIn, _audience, context.Request.GetScopes()));
                return default;
            }));
            options.AddEventHandler<OpenIddictServerEvents.HandleTokenRequestContext>(handler => handler.UseInlineHandler(context =>
            {
                if (context.Request.IsClientCredentialsGrantType())
                {
                    var staff = new Staff(
                        Guid.Parse((string?)context.Request["test_user"] ?? ""),
                        Guid.Parse((string?)context.Request["test_clinic"] ?? ""),
                        ((string?)context.Request["test_roles"] ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries));
                    context.SignIn(Principal(staff, (string?)context.Request["test_audience"] ?? _audience, []));
                }
                else if (context.AuthorizationCodePrincipal is { } code)
                {
                    var staff = new Staff(
                        Guid.Parse(code.GetClaim(SubjectClaim)!),
                        Guid.Parse(code.GetClaim(ClinicClaim)!),
                        [.. code.GetClaims(RoleClaim)]);
                    context.SignIn(Principal(staff, _audience, code.GetScopes()));
                }
                return default;
            }));
        });

        var app = builder.Build();
        app.UseCors(cors => cors.AllowAnyOrigin().AllowAnyHeader().AllowAnyMethod());
        app.UseAuthentication();
        await app.StartAsync();
        return app;
    }

    private static ClaimsPrincipal Principal(Staff staff, string audience, ImmutableArray<string> scopes)
    {
        var identity = new ClaimsIdentity(TokenValidationParameters.DefaultAuthenticationType, Claims.Name, Claims.Role);
        // Entra-style: sub is per application and not the user's id; oid is.
        identity.SetClaim(Claims.Subject, "pairwise-" + staff.Id.ToString("N")[..12]);
        identity.SetClaim(SubjectClaim, staff.Id.ToString());
        identity.SetClaim(ClinicClaim, staff.Clinic.ToString());
        identity.SetClaims(RoleClaim, [.. staff.Roles]);
        identity.SetDestinations(_ => [Destinations.AccessToken]);
        var principal = new ClaimsPrincipal(identity);
        principal.SetAudiences(audience);
        principal.SetScopes(scopes);
        return principal;
    }
}
