using System.Buffers.Binary;
using System.Buffers.Text;
using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;

namespace CalfPainTracker.Tests.Infrastructure;

/// <summary>
/// A push service on loopback, as a browser vendor runs one: it takes the POST for a
/// subscription, checks the VAPID token (RFC 8292) and decrypts the message (RFC 8291) with the
/// subscriber's keys, which only the "browser" (this class) holds. A request it cannot verify
/// or decrypt is answered 400 and kept in <see cref="Rejections"/>.
/// </summary>
public sealed class PushServiceReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<int> _answers = new();
    private readonly ConcurrentDictionary<string, Subscriber> _subscribers = new();

    /// <summary>A browser's subscription: its private ECDH key and auth secret stay here.</summary>
    public sealed class Subscriber(string endpoint) : IDisposable
    {
        public ECDiffieHellman Key { get; } = ECDiffieHellman.Create(ECCurve.NamedCurves.nistP256);
        public byte[] AuthSecret { get; } = RandomNumberGenerator.GetBytes(16);
        public string Endpoint { get; } = endpoint;

        public byte[] PublicPoint
        {
            get
            {
                var q = Key.ExportParameters(includePrivateParameters: false).Q;
                return [0x04, .. q.X!, .. q.Y!];
            }
        }

        public string P256dh => Base64Url.EncodeToString(PublicPoint);
        public string Auth => Base64Url.EncodeToString(AuthSecret);

        /// <summary>What <c>PushSubscription.toJSON()</c> gives, which the app posts.</summary>
        public object Json => new { endpoint = Endpoint, keys = new { p256dh = P256dh, auth = Auth }, expirationTime = (long?)null };

        public void Dispose() => Key.Dispose();
    }

    public sealed record Received(string Endpoint, JsonNode Message, string ServerKey, JsonNode Claims, IReadOnlyDictionary<string, string> Headers, int Answered);

    public ConcurrentQueue<Received> Messages { get; } = new();

    public ConcurrentQueue<string> Rejections { get; } = new();

    /// <summary>Every POST, whatever it was answered: for retries.</summary>
    public int Requests => _requests;

    private int _requests;

    public string Origin { get; }

    private PushServiceReceiver(WebApplication app, string origin)
    {
        _app = app;
        Origin = origin;
    }

    public static async Task<PushServiceReceiver> Start()
    {
        var port = PostgresServer.FreePort();
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        var app = builder.Build();
        var receiver = new PushServiceReceiver(app, $"http://127.0.0.1:{port}");
        app.MapPost("/push/{id}", (Func<HttpContext, Task<IResult>>)receiver.Take);
        await app.StartAsync();
        return receiver;
    }

    public Subscriber NewSubscriber()
    {
        var subscriber = new Subscriber($"{Origin}/push/{Guid.NewGuid():N}");
        _subscribers[subscriber.Endpoint] = subscriber;
        return subscriber;
    }

    /// <summary>The next requests are answered with these statuses, in order; then 201 again.</summary>
    public void AnswerNext(params int[] statuses)
    {
        foreach (var status in statuses) _answers.Enqueue(status);
    }

    public async Task<List<Received>> WaitFor(int count, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(20));
        while (Messages.Count + Rejections.Count < count && DateTime.UtcNow < deadline) await Task.Delay(50);
        Assert.Empty(Rejections);
        return [.. Messages];
    }

    public async Task WaitForRequests(int count, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(20));
        while (Requests < count && DateTime.UtcNow < deadline) await Task.Delay(50);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.DisposeAsync();
        foreach (var subscriber in _subscribers.Values) subscriber.Dispose();
    }

    private async Task<IResult> Take(HttpContext context)
    {
        Interlocked.Increment(ref _requests);
        var endpoint = Origin + context.Request.Path;
        using var buffer = new MemoryStream();
        await context.Request.Body.CopyToAsync(buffer);
        var headers = context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase);
        try
        {
            if (!_subscribers.TryGetValue(endpoint, out var subscriber)) throw new InvalidDataException($"no subscription {endpoint}");
            var (claims, serverKey) = Vapid(headers.GetValueOrDefault("Authorization"));
            if (headers.GetValueOrDefault("Content-Encoding") != "aes128gcm") throw new InvalidDataException("Content-Encoding is not aes128gcm");
            if (!headers.TryGetValue("TTL", out var ttl) || !int.TryParse(ttl, out _)) throw new InvalidDataException("no TTL");
            var message = JsonNode.Parse(Decrypt(buffer.ToArray(), subscriber))!;
            var status = _answers.TryDequeue(out var next) ? next : StatusCodes.Status201Created;
            Messages.Enqueue(new Received(endpoint, message, serverKey, claims, headers, status));
            return Results.StatusCode(status);
        }
        catch (Exception e) when (e is InvalidDataException or CryptographicException or FormatException or System.Text.Json.JsonException)
        {
            Rejections.Enqueue(e.Message);
            return Results.BadRequest();
        }
    }

    /// <summary>
    /// <c>vapid t=&lt;JWT&gt;, k=&lt;key&gt;</c>: the JWT must be ES256, signed by the key in <c>k</c>,
    /// for this origin, expiring within 24 hours, with a contact in <c>sub</c>.
    /// </summary>
    private (JsonNode Claims, string ServerKey) Vapid(string? authorization)
    {
        if (authorization is null || !authorization.StartsWith("vapid ", StringComparison.Ordinal)) throw new InvalidDataException("no vapid Authorization");
        var parameters = authorization["vapid ".Length..].Split(',', StringSplitOptions.TrimEntries)
            .Select(p => p.Split('=', 2)).ToDictionary(p => p[0], p => p[1], StringComparer.Ordinal);
        var key = Base64Url.DecodeFromChars(parameters["k"]);
        if (key is not [0x04, ..] || key.Length != 65) throw new InvalidDataException("k is not an uncompressed P-256 point");
        var parts = parameters["t"].Split('.');
        if (parts.Length != 3) throw new InvalidDataException("t is not a JWS");
        var header = JsonNode.Parse(Base64Url.DecodeFromChars(parts[0]))!;
        if (header["alg"]?.GetValue<string>() != "ES256") throw new InvalidDataException("the JWT is not ES256");

        using var verifier = ECDsa.Create(new ECParameters
        {
            Curve = ECCurve.NamedCurves.nistP256,
            Q = new ECPoint { X = key[1..33], Y = key[33..] },
        });
        if (!verifier.VerifyData(Encoding.ASCII.GetBytes(parts[0] + "." + parts[1]), Base64Url.DecodeFromChars(parts[2]), HashAlgorithmName.SHA256))
        {
            throw new InvalidDataException("the JWT's signature does not verify with k");
        }
        var claims = JsonNode.Parse(Base64Url.DecodeFromChars(parts[1]))!;
        if (claims["aud"]?.GetValue<string>() != Origin) throw new InvalidDataException($"aud is {claims["aud"]}, not {Origin}");
        var expires = DateTimeOffset.FromUnixTimeSeconds(claims["exp"]!.GetValue<long>());
        if (expires <= DateTimeOffset.UtcNow || expires > DateTimeOffset.UtcNow.AddHours(24)) throw new InvalidDataException("exp is not within the next 24 hours");
        if (string.IsNullOrEmpty(claims["sub"]?.GetValue<string>())) throw new InvalidDataException("no sub");
        return (claims, parameters["k"]);
    }

    /// <summary>RFC 8291 with RFC 8188's aes128gcm: header salt(16) rs(4) idlen(1) keyid (the sender's ephemeral key), then records.</summary>
    private static string Decrypt(byte[] body, Subscriber subscriber)
    {
        if (body.Length < 21) throw new InvalidDataException("the body is shorter than an aes128gcm header");
        var salt = body[..16];
        var recordSize = (int)BinaryPrimitives.ReadUInt32BigEndian(body.AsSpan(16, 4));
        var idLength = body[20];
        var senderKey = body[21..(21 + idLength)];
        if (senderKey is not [0x04, ..] || senderKey.Length != 65) throw new InvalidDataException("keyid is not the sender's P-256 public key");

        using var sender = ECDiffieHellman.Create(new ECParameters
        {
            Curve = ECCurve.NamedCurves.nistP256,
            Q = new ECPoint { X = senderKey[1..33], Y = senderKey[33..] },
        });
        var shared = subscriber.Key.DeriveRawSecretAgreement(sender.PublicKey);
        byte[] keyInfo = [.. Encoding.ASCII.GetBytes("WebPush: info\0"), .. subscriber.PublicPoint, .. senderKey];
        var ikm = HKDF.DeriveKey(HashAlgorithmName.SHA256, shared, 32, subscriber.AuthSecret, keyInfo);
        var contentKey = HKDF.DeriveKey(HashAlgorithmName.SHA256, ikm, 16, salt, Encoding.ASCII.GetBytes("Content-Encoding: aes128gcm\0"));
        var nonce = HKDF.DeriveKey(HashAlgorithmName.SHA256, ikm, 12, salt, Encoding.ASCII.GetBytes("Content-Encoding: nonce\0"));

        using var aes = new AesGcm(contentKey, 16);
        var plaintext = new List<byte>();
        var records = body[(21 + idLength)..].Chunk(recordSize).ToList();
        for (var i = 0; i < records.Count; i++)
        {
            var record = records[i];
            var recordNonce = nonce.ToArray();
            // The record's sequence number is XORed into the nonce's last 8 bytes.
            var sequence = BinaryPrimitives.ReadUInt64BigEndian(recordNonce.AsSpan(4)) ^ (ulong)i;
            BinaryPrimitives.WriteUInt64BigEndian(recordNonce.AsSpan(4), sequence);
            var data = new byte[record.Length - 16];
            aes.Decrypt(recordNonce, record[..^16], record[^16..], data);
            // Data, then the delimiter (2 on the last record, 1 before it), then zero padding.
            var end = Array.FindLastIndex(data, b => b != 0);
            var last = i == records.Count - 1;
            if (end < 0 || data[end] != (last ? 2 : 1)) throw new InvalidDataException("the padding delimiter is missing");
            plaintext.AddRange(data[..end]);
        }
        return Encoding.UTF8.GetString([.. plaintext]);
    }
}
