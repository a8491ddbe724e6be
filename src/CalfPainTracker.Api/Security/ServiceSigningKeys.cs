using System.Security.Cryptography;
using Marten;
using CalfPainTracker.Enrolment;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.IdentityModel.Tokens;
using Wolverine.Http;

namespace CalfPainTracker.Security;

/// <summary>
/// A key the service signs enrolled devices' access tokens with (ES256). The private half is
/// kept protected by Data Protection, whose key ring is in the same database; the public half
/// is published at /.well-known/jwks.json.
/// </summary>
public sealed class ServiceSigningKey
{
    public string Id { get; set; } = "";
    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>Signing starts here: a rotated key is published a while before any node signs with it, so every node already trusts it.</summary>
    public DateTimeOffset ActiveFrom { get; set; }

    public string ProtectedPrivateKey { get; set; } = "";
    public string PublicX { get; set; } = "";
    public string PublicY { get; set; } = "";
}

/// <summary>A public key as JWKS (RFC 7517) publishes it.</summary>
public sealed record PublishedKey(string Kty, string Crv, string X, string Y, string Kid, string Use, string Alg);

public sealed record KeySet(IReadOnlyList<PublishedKey> Keys);

/// <summary>
/// The service's own signing keys: made on first start, rotated by <see cref="DeviceTokenSettings.SigningKeyLifetime"/>,
/// the previous key still trusted and published until the tokens it signed have expired. Kept in
/// PostgreSQL and read by every node, so several nodes issue and accept each other's tokens.
/// </summary>
public sealed class ServiceSigningKeys(IDocumentStore store, IDataProtectionProvider protection, DeviceTokenSettings settings, TimeProvider clock) : IDisposable
{
    /// <summary>How long a node trusts its copy of the key list; a rotated key is published twice this long before use.</summary>
    public static readonly TimeSpan RereadAfter = TimeSpan.FromSeconds(30);

    private static readonly TimeSpan UnknownKeyRereadAfter = TimeSpan.FromSeconds(5);

    private readonly IDataProtector protector = protection.CreateProtector("CalfPainTracker.ServiceSigningKeys");
    private readonly SemaphoreSlim reading = new(1, 1);
    private readonly SemaphoreSlim rotating = new(1, 1);
    private int reads;

    // Built once per key: unprotecting a key and making an ECDsa object cost more than signing or
    // checking a signature with it, and every refresh signs, every request checks.
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, SecurityKey> publicKeys = new(StringComparer.Ordinal);
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, SigningCredentials> signers = new(StringComparer.Ordinal);
    private (IReadOnlyList<ServiceSigningKey> Keys, DateTimeOffset ReadAt) known = ([], DateTimeOffset.MinValue);

    public async Task<SigningCredentials> Current(CancellationToken cancellation)
    {
        var now = clock.GetUtcNow();
        var keys = await Keys(cancellation);
        if (Due(keys, now))
        {
            await rotating.WaitAsync(cancellation);
            try
            {
                keys = await Keys(cancellation, reread: true);
                // The very first key is used at once (no node has tokens to check yet); later ones wait until every node has read them.
                if (Due(keys, now)) await Create(keys.Count == 0 ? now : now + 2 * RereadAfter, now, cancellation);
                keys = await Keys(cancellation, reread: true);
            }
            finally
            {
                rotating.Release();
            }
        }
        var signing = keys.Last(k => k.ActiveFrom <= now);
        return signers.GetOrAdd(signing.Id, _ => Signer(signing));
    }

    private SigningCredentials Signer(ServiceSigningKey key)
    {
        var ecdsa = ECDsa.Create();
        ecdsa.ImportECPrivateKey(protector.Unprotect(Convert.FromBase64String(key.ProtectedPrivateKey)), out _);
        return new SigningCredentials(new ECDsaSecurityKey(ecdsa) { KeyId = key.Id }, SecurityAlgorithms.EcdsaSha256);
    }

    public void Dispose()
    {
        reading.Dispose();
        rotating.Dispose();
    }

    private bool Due(IReadOnlyList<ServiceSigningKey> keys, DateTimeOffset now) => keys.Count == 0 || keys[^1].CreatedAt + settings.SigningKeyLifetime <= now;

    /// <summary>The keys whose tokens may still be in use: the newest, and each older one until its successor has signed for longer than a token lives.</summary>
    public async Task<KeySet> Published(CancellationToken cancellation) =>
        new((await Keys(cancellation)).Where(Trusted).Select(k => new PublishedKey("EC", "P-256", k.PublicX, k.PublicY, k.Id, "sig", SecurityAlgorithms.EcdsaSha256)).ToList());

    /// <summary>For the token handler, which asks synchronously: the trusted key with that id, re-reading the list once it is old or the id is new.</summary>
    public IEnumerable<SecurityKey> ForValidation(string? kid)
    {
        var (keys, readAt) = known;
        // An unknown kid re-reads the list at most every few seconds: made-up kids cannot flood the database.
        if (clock.GetUtcNow() - readAt > RereadAfter || (keys.All(k => k.Id != kid) && clock.GetUtcNow() - readAt > UnknownKeyRereadAfter))
        {
            keys = Keys(CancellationToken.None, reread: true).GetAwaiter().GetResult();
        }
        return keys.Where(k => k.Id == kid && Trusted(k)).Select(k => publicKeys.GetOrAdd(k.Id, _ => Public(k))).ToList();
    }

    private bool Trusted(ServiceSigningKey key)
    {
        var keys = known.Keys;
        var successor = keys.FirstOrDefault(k => k.CreatedAt > key.CreatedAt);
        return successor is null || successor.ActiveFrom + settings.AccessTokenLifetime + TimeSpan.FromMinutes(1) > clock.GetUtcNow();
    }

    private static ECDsaSecurityKey Public(ServiceSigningKey key) =>
        new(ECDsa.Create(new ECParameters
        {
            Curve = ECCurve.NamedCurves.nistP256,
            Q = new ECPoint { X = Base64UrlEncoder.DecodeBytes(key.PublicX), Y = Base64UrlEncoder.DecodeBytes(key.PublicY) },
        })) { KeyId = key.Id };

    private async Task<IReadOnlyList<ServiceSigningKey>> Keys(CancellationToken cancellation, bool reread = false)
    {
        if (!reread && clock.GetUtcNow() - known.ReadAt <= RereadAfter) return known.Keys;
        var readsBefore = Volatile.Read(ref reads);
        await reading.WaitAsync(cancellation);
        try
        {
            // Another request read the list, from start to end, while this one waited: that reading will do.
            if (reads != readsBefore) return known.Keys;
            await using var session = store.QuerySession();
            var keys = await session.Query<ServiceSigningKey>().OrderBy(k => k.CreatedAt).ToListAsync(cancellation);
            known = (keys, clock.GetUtcNow());
            reads++;
            return keys;
        }
        finally
        {
            reading.Release();
        }
    }

    private async Task Create(DateTimeOffset activeFrom, DateTimeOffset now, CancellationToken cancellation)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var parameters = key.ExportParameters(includePrivateParameters: false);
        await using var session = store.LightweightSession();
        session.Store(new ServiceSigningKey
        {
            Id = Base64UrlEncoder.Encode(RandomNumberGenerator.GetBytes(12)),
            CreatedAt = now,
            ActiveFrom = activeFrom,
            ProtectedPrivateKey = Convert.ToBase64String(protector.Protect(key.ExportECPrivateKey())),
            PublicX = Base64UrlEncoder.Encode(parameters.Q.X),
            PublicY = Base64UrlEncoder.Encode(parameters.Q.Y),
        });
        await session.SaveChangesAsync(cancellation);
    }
}

public static class JwksEndpoint
{
    /// <summary>The public keys of the service's device tokens (current and previous, each with its kid), for anyone verifying them.</summary>
    [WolverineGet("/.well-known/jwks.json", Name = "ServiceSigningKeys")]
    [AllowAnonymous]
    public static async Task<KeySet> Get(ServiceSigningKeys keys, HttpResponse response, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(keys);
        ArgumentNullException.ThrowIfNull(response);
        // Made on first need if this is a first start, so the set is never empty.
        await keys.Current(cancellation);
        // A rotated key is published a minute before use: caches must not hold the set longer than that.
        response.Headers.CacheControl = "public, max-age=30";
        return await keys.Published(cancellation);
    }
}
