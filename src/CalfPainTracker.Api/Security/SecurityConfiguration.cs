using System.Threading.RateLimiting;
using CalfPainTracker.Enrolment;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.IdentityModel.Tokens;

namespace CalfPainTracker.Security;

/// <summary>Configuration section "Security": limits that protect the service from one noisy client.</summary>
public sealed class SecuritySettings
{
    public const string Section = "Security";

    /// <summary>Writes a user may make per minute before getting 429.</summary>
    public int WritesPerMinutePerUser { get; set; } = 120;

    public long MaxRequestBodyBytes { get; set; } = 64 * 1024;

    /// <summary>
    /// The load balancers and reverse proxies in front of the service, comma-separated addresses or
    /// CIDR networks. Only their <c>X-Forwarded-For</c> is believed: behind one, every request
    /// otherwise comes from the proxy's address, and the per-address limit on signing in would be
    /// one limit shared by every patient of the clinic. Anyone else's header is ignored, or a
    /// client could name a new address with each guess.
    /// </summary>
    public string TrustedProxies { get; set; } = "";

    /// <summary>
    /// A PEM file with the RSA certificate that encrypts Data Protection's key ring at rest. The
    /// ring unlocks the service's own token-signing and push keys, and it sits in the same database:
    /// without a certificate, whoever has a copy of the database (a backup) can mint phones' tokens.
    /// </summary>
    public string KeyRingCertificate { get; set; } = "";

    /// <summary>The PEM file of its private key, when it is not in the certificate's own file.</summary>
    public string KeyRingCertificateKey { get; set; } = "";

    /// <summary>
    /// After the certificate is replaced: the one before (and its key), so the ring's keys it
    /// encrypted still open. Kept while any exist: Data Protection keeps expired keys to open what
    /// they protected (the push key is made once), so dropping it signs every phone out.
    /// </summary>
    public string KeyRingPreviousCertificate { get; set; } = "";

    public string KeyRingPreviousCertificateKey { get; set; } = "";

    public (IReadOnlyList<System.Net.IPAddress> Proxies, IReadOnlyList<System.Net.IPNetwork> Networks) ParseTrustedProxies()
    {
        var proxies = new List<System.Net.IPAddress>();
        var networks = new List<System.Net.IPNetwork>();
        foreach (var entry in TrustedProxies.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (entry.Contains('/', StringComparison.Ordinal) && System.Net.IPNetwork.TryParse(entry, out var network)) networks.Add(network);
            else if (System.Net.IPAddress.TryParse(entry, out var address)) proxies.Add(address);
            else throw new InvalidOperationException($"Security:TrustedProxies: '{entry}' is neither an IP address nor a CIDR network (e.g. 10.0.0.0/8).");
        }
        return (proxies, networks);
    }
}

public static class Policies
{
    public const string Clinician = "clinician";
    public const string Physio = "physio";
    public const string ClinicAdmin = "clinic-admin";
    public const string Patient = "patient";
}

public static class SecurityConfiguration
{
    public static WebApplicationBuilder AddCalfPainSecurity(this WebApplicationBuilder builder)
    {
        var jwt = builder.Configuration.GetSection(JwtSettings.Section).Get<JwtSettings>() ?? new JwtSettings();
        var limits = builder.Configuration.GetSection(SecuritySettings.Section).Get<SecuritySettings>() ?? new SecuritySettings();
        var provider = builder.Configuration.GetSection(ClinicProviderSettings.Section).Get<ClinicProviderSettings>() ?? new ClinicProviderSettings();
        var key = jwt.KeyBeside(provider); // refuses to start without a usable key unless a provider signs staff in
        jwt.RefusePublishedKey(builder.Environment);

        var site = PublicAddress.From(builder.Configuration, builder.Environment);
        var devices = DeviceTokenSettings.From(builder.Configuration);
        var (proxies, networks) = limits.ParseTrustedProxies();
        builder.Services.Configure<ForwardedHeadersOptions>(options =>
        {
            options.ForwardedHeaders = ForwardedHeaders.XForwardedFor;
            // Every hop from the right that is one of ours is skipped; the first that is not is the client.
            options.ForwardLimit = null;
            options.KnownProxies.Clear();
            options.KnownIPNetworks.Clear();
            foreach (var proxy in proxies) options.KnownProxies.Add(proxy);
            foreach (var network in networks) options.KnownIPNetworks.Add(network);
        });
        builder.Services.AddSingleton(limits);
        builder.Services.AddSingleton(site);
        builder.Services.AddSingleton(jwt);
        builder.Services.AddSingleton(devices);
        builder.Services.AddSingleton<ServiceSigningKeys>();
        builder.Services.AddSingleton<DeviceTokens>();
        DataProtectionKeyRing.Register(builder.Services, limits);
        builder.Services.AddSingleton(provider);
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.Limits.MaxRequestBodySize = limits.MaxRequestBodyBytes;
            k.AddServerHeader = false;
        });

        var schemeByIssuer = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [jwt.Issuer] = BearerSchemes.SharedKey,
            [site.Issuer] = BearerSchemes.Device,
        };
        builder.Services
            .AddAuthentication(BearerSchemes.Bearer)
            .AddPolicyScheme(BearerSchemes.Bearer, "Bearer token", options => options.ForwardDefaultSelector = BearerSchemes.ByIssuer(schemeByIssuer))
            .AddJwtBearer(BearerSchemes.SharedKey, options =>
            {
                options.MapInboundClaims = false;
                options.TokenValidationParameters = new TokenValidationParameters
                {
                    ValidIssuer = jwt.Issuer,
                    ValidAudience = jwt.Audience,
                    // No key (a provider signs staff in): the scheme stays to answer 401 to every token sent to it.
                    IssuerSigningKeys = key is null ? [] : [key],
                    ValidAlgorithms = [SecurityAlgorithms.HmacSha256],
                    NameClaimType = Caller.SubjectClaim,
                    RoleClaimType = Caller.RoleClaim,
                    ClockSkew = TimeSpan.FromSeconds(30),
                };
                options.Events = BearerSchemes.Answers();
            })
            .AddJwtBearer(BearerSchemes.Device, options =>
            {
                options.MapInboundClaims = false;
                // The service signs phones' tokens for patients only: any other role under its key is not one it made.
                options.Events = BearerSchemes.Answers(async context =>
                {
                    if (context.Principal?.FindFirst(Caller.RoleClaim)?.Value != "patient"
                        || !Guid.TryParse(context.Principal.FindFirst("sid")?.Value, out var device)
                        || !Guid.TryParse(context.Principal.FindFirst(Caller.ClinicClaim)?.Value, out var clinic))
                    {
                        context.Fail("A device token is a patient's, with its device.");
                        return;
                    }
                    // A phone signed out for its safety is refused from that moment, not when its
                    // last token expires: one lookup by key per request of a phone, which makes few.
                    var store = context.HttpContext.RequestServices.GetRequiredService<Marten.IDocumentStore>();
                    switch (await DeviceSessionEndpoints.Find(store, clinic, device, context.HttpContext.RequestAborted))
                    {
                        case null:
                            context.Fail("No such device.");
                            break;
                        case { SignOutReason: { } reason }:
                            BearerSchemes.AnswerChallengeWith(context.HttpContext, DeviceSessionEndpoints.SignedOut(reason));
                            context.Fail("This device has been signed out.");
                            break;
                    }
                });
            })
            .AddClinicProvider(provider, schemeByIssuer);
        // The device scheme's keys are the service's own, read from the database as they rotate.
        builder.Services.AddOptions<JwtBearerOptions>(BearerSchemes.Device).Configure<ServiceSigningKeys>((options, keys) =>
            options.TokenValidationParameters = new TokenValidationParameters
            {
                ValidIssuer = site.Issuer,
                ValidAudience = jwt.Audience,
                IssuerSigningKeyResolver = (_, _, kid, _) => keys.ForValidation(kid),
                ValidAlgorithms = [SecurityAlgorithms.EcdsaSha256],
                NameClaimType = Caller.SubjectClaim,
                RoleClaimType = Caller.RoleClaim,
                ClockSkew = TimeSpan.FromSeconds(30),
            });

        builder.Services.AddAuthorizationBuilder()
            .SetFallbackPolicy(new AuthorizationPolicyBuilder().RequireAuthenticatedUser().Build())
            .AddPolicy(Policies.Patient, p => p.RequireRole("patient"))
            .AddPolicy(Policies.Physio, p => p.RequireRole("physio"))
            .AddPolicy(Policies.ClinicAdmin, p => p.RequireRole("clinic-admin"))
            .AddPolicy(Policies.Clinician, p => p.RequireRole("physio", "clinic-admin"));

        builder.Services.AddResponseCompression(options =>
        {
            options.EnableForHttps = true;
            options.MimeTypes = Microsoft.AspNetCore.ResponseCompression.ResponseCompressionDefaults.MimeTypes.Concat(["application/manifest+json", "image/svg+xml"]);
        });
        builder.Services.AddRateLimiter(options =>
        {
            options.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            options.OnRejected = (context, _) =>
            {
                context.HttpContext.Response.Headers.RetryAfter = "60";
                return new ValueTask(TypedResults.Problem(
                    statusCode: StatusCodes.Status429TooManyRequests,
                    title: "Too many requests",
                    detail: context.HttpContext.Request.Path.StartsWithSegments("/api/sessions")
                        ? $"At most {devices.SessionAttemptsPerMinutePerAddress} sign-in attempts a minute from one address; try again in a minute."
                        : $"At most {limits.WritesPerMinutePerUser} changes a minute per user; try again in a minute.").ExecuteAsync(context.HttpContext));
            };
            // Signing in with an invitation or refreshing a session: per client address, as there is no user yet.
            options.AddPolicy(DeviceSessionEndpoints.RateLimitPolicy, context => RateLimitPartition.GetFixedWindowLimiter(
                context.Connection.RemoteIpAddress?.ToString() ?? "unknown",
                _ => new FixedWindowRateLimiterOptions { PermitLimit = devices.SessionAttemptsPerMinutePerAddress, Window = TimeSpan.FromMinutes(1), QueueLimit = 0 }));
            // Reads are not limited: a dashboard refreshing must never lock a clinician out.
            options.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(context =>
                HttpMethods.IsGet(context.Request.Method) || HttpMethods.IsHead(context.Request.Method)
                    ? RateLimitPartition.GetNoLimiter("reads")
                    : RateLimitPartition.GetFixedWindowLimiter(
                        context.User.FindFirst(Caller.SubjectClaim)?.Value ?? "anonymous:" + context.Connection.RemoteIpAddress,
                        _ => new FixedWindowRateLimiterOptions
                        {
                            PermitLimit = limits.WritesPerMinutePerUser,
                            Window = TimeSpan.FromMinutes(1),
                            QueueLimit = 0,
                        }));
        });

        return builder;
    }

    public static WebApplication UseCalfPainSecurity(this WebApplication app)
    {
        var limits = app.Services.GetRequiredService<SecuritySettings>();
        if (limits.TrustedProxies.Length > 0) app.UseForwardedHeaders();
        // The page fetches the provider's discovery document and redeems its code at the
        // provider's token endpoint; nothing else leaves the service's origin.
        var dashboardPolicy = $"default-src 'self'; connect-src 'self'{(app.Services.GetRequiredService<ClinicProviderSettings>().Origin() is { } origin ? " " + origin : "")}; img-src 'self' data:; frame-ancestors 'none'";
        app.Use(async (context, next) =>
        {
            var headers = context.Response.Headers;
            headers.XContentTypeOptions = "nosniff";
            headers.XFrameOptions = "DENY";
            headers["Referrer-Policy"] = "no-referrer";
            headers["Cross-Origin-Opener-Policy"] = "same-origin";
            if (context.Request.Path.StartsWithSegments("/dashboard"))
            {
                // The page loads nothing from elsewhere: no CDN, no inline script.
                headers.ContentSecurityPolicy = dashboardPolicy;
            }
            if (context.Request.Path.StartsWithSegments("/app"))
            {
                // The patient's app: nothing from elsewhere, no inline script or style, its own worker and manifest.
                headers.ContentSecurityPolicy = "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";
                // The worker's file is under /app/ but must also control the page at /app itself.
                if (context.Request.Path.Equals("/app/sw.js")) headers["Service-Worker-Allowed"] = "/app";
            }
            if (context.Request.Path.StartsWithSegments("/api"))
            {
                // Health data must not linger in shared caches or browser history.
                headers.CacheControl = "no-store";
                headers.ContentSecurityPolicy = "default-src 'none'; frame-ancestors 'none'";
            }

            // Kestrel enforces the limit on streamed bodies; this answers declared oversize bodies
            // at once, with a problem the client can read.
            if (context.Request.ContentLength > limits.MaxRequestBodyBytes)
            {
                await TypedResults.Problem(
                    statusCode: StatusCodes.Status413PayloadTooLarge,
                    title: "Request body too large",
                    detail: $"Request bodies may be at most {limits.MaxRequestBodyBytes} bytes.").ExecuteAsync(context);
                return;
            }
            await next(context);
        });
        // The two pages' own files, compressed (a third of their size: about 0.8 s less on a slow
        // phone connection). Only these: they carry no secret, so compressing them over HTTPS
        // reveals nothing (BREACH needs a secret and attacker-chosen text in one response).
        app.UseWhen(
            context => context.Request.Path.StartsWithSegments("/app") || context.Request.Path.StartsWithSegments("/dashboard"),
            pages => pages.UseResponseCompression());
        // The dashboard's scripts and styles hold no data: served before authorisation, whose
        // fallback policy would otherwise ask for a token for every file.
        app.UseStaticFiles();
        app.UseAuthentication();
        app.UseAuthorization();
        app.UseRateLimiter();
        return app;
    }
}
