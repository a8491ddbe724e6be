using System.Security.Claims;
using CalfPainTracker.Episodes;
using CalfPainTracker.Http;
using CalfPainTracker.Notifications;
using CalfPainTracker.Operations;
using CalfPainTracker.Security;
using JasperFx.Events;
using Marten;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Wolverine.Http;

namespace CalfPainTracker.Enrolment;

/// <summary>
/// A phone signed in for the patient of one episode. It holds a refresh token that changes on
/// every use; the hashes of the ones it replaced are kept, so a replayed one is recognised as
/// theft and ends the session (reuse detection, RFC 9700 section 4.14.2). Outside the clinic
/// tenancy: a refresh arrives without a clinic.
/// </summary>
public sealed class DeviceSession
{
    public Guid Id { get; set; }
    public Guid ClinicId { get; set; }
    public Guid EpisodeId { get; set; }
    public Guid PatientId { get; set; }
    public string DeviceName { get; set; } = "";
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset LastUsedAt { get; set; }
    public string RefreshTokenHash { get; set; } = "";
    public const int ReplacedTokensKept = 50;

    public List<string> ReplacedTokenHashes { get; set; } = [];
    public DateTimeOffset? SignedOutAt { get; set; }
    public SignOutReason? SignOutReason { get; set; }

    public bool IsActive(DateTimeOffset now, DeviceTokenSettings settings) => SignedOutAt is null && LastUsedAt + settings.DeviceSessionIdleLifetime > now;

    /// <summary>Ends the session; the event for the episode's history, or null if it had already ended.</summary>
    public DeviceSignedOut? SignOut(SignOutReason reason, Guid? by, DateTimeOffset now)
    {
        if (SignedOutAt is not null) return null;
        SignedOutAt = now;
        SignOutReason = reason;
        return new DeviceSignedOut(EpisodeId, Id, reason, by, now);
    }
}

public sealed record SignInRequest(string? InvitationCode, string? DeviceName);

public sealed record RefreshRequest(string? RefreshToken);

/// <summary>What a phone keeps: a short-lived access token for the API and the refresh token that gets the next one.</summary>
public sealed record SessionTokens(string AccessToken, string RefreshToken, int ExpiresIn, Guid DeviceId, Guid EpisodeId, Guid PatientId, Guid ClinicId);

public sealed record DeviceView(Guid Id, Guid EpisodeId, string DeviceName, DateTimeOffset CreatedAt, DateTimeOffset LastUsedAt, DateTimeOffset? SignedOutAt, SignOutReason? SignOutReason)
{
    public static DeviceView Of(DeviceSession device) =>
        new(device.Id, device.EpisodeId, device.DeviceName, device.CreatedAt, device.LastUsedAt, device.SignedOutAt, device.SignOutReason);
}

public static class DeviceSessionEndpoints
{
    public const string RateLimitPolicy = "sessions";
    public const int MaxDeviceNameLength = 80;
    public const int RefreshTokenBytes = 32;

    public static readonly TimeSpan LostAnswerGrace = TimeSpan.FromMinutes(1);

    /// <summary>Redeems an invitation on the patient's phone. No token: the code is the credential.</summary>
    [WolverinePost("/api/sessions", Name = "SignInWithInvitation")]
    [AllowAnonymous]
    [EnableRateLimiting(RateLimitPolicy)]
    public static async Task<IResult> SignIn(
        SignInRequest request, IDocumentStore store, DeviceTokens tokens, TimeProvider clock, CancellationToken cancellation)
    {
        var errors = new FieldErrors();
        if (string.IsNullOrWhiteSpace(request.InvitationCode) || request.InvitationCode.Length > 200)
        {
            errors.Add("invitationCode", "'invitationCode' is required: the code from the invitation link your clinic gave you.");
        }
        if (request.DeviceName is { Length: > MaxDeviceNameLength }) errors.Add("deviceName", $"'deviceName' may hold at most {MaxDeviceNameLength} characters.");
        if (errors.Any) return errors.ToResult();

        var hash = OneTimeSecret.Hash(request.InvitationCode!.Trim());
        var found = await ClinicTenancy.FindInAnyDatabase<Invitation>(store, i => i.CodeHash == hash, cancellation);
        if (found is null) return UnknownInvitation();

        await using var clinic = store.LightweightSession(found.ClinicId.ToString());
        // The episode's lock makes a code redeemed twice at once sign in one phone, not two.
        var stream = await clinic.Events.FetchForExclusiveWriting<Episode>(found.EpisodeId, cancellation);
        var invitation = (await clinic.LoadAsync<Invitation>(found.Id, cancellation))!;
        var now = clock.GetUtcNow();
        if (invitation.WhyNotUsable(now) is { } why) return Gone(why);
        if (stream.Aggregate is not { Status: EpisodeStatus.Open }) return Gone("The recovery episode this invitation was for has been closed.");

        var device = new DeviceSession
        {
            Id = Guid.CreateVersion7(),
            ClinicId = invitation.ClinicId,
            EpisodeId = invitation.EpisodeId,
            PatientId = invitation.PatientId,
            DeviceName = string.IsNullOrWhiteSpace(request.DeviceName) ? "Phone" : request.DeviceName.Trim(),
            CreatedAt = now,
            LastUsedAt = now,
        };
        var issued = await tokens.Issue(device, cancellation);
        invitation.RedeemedAt = now;
        invitation.DeviceId = device.Id;
        clinic.Store(invitation);
        clinic.Store(device);
        stream.AppendOne(new DeviceEnrolled(device.EpisodeId, device.Id, invitation.Id, device.DeviceName, now));
        await clinic.SaveChangesAsync(cancellation);
        return TypedResults.Created($"/api/me/devices/{device.Id}", issued);
    }

    /// <summary>A new pair for the refresh token presented, which stops working; presenting it again signs the device out.</summary>
    [WolverinePost("/api/sessions/refresh", Name = "RefreshSession")]
    [AllowAnonymous]
    [EnableRateLimiting(RateLimitPolicy)]
    public static async Task<IResult> Refresh(
        RefreshRequest request, IDocumentStore store, DeviceTokens tokens, DeviceTokenSettings settings, TimeProvider clock, CancellationToken cancellation)
    {
        if (DeviceTokens.DeviceOf(request.RefreshToken) is not { } deviceId) return NotIssued();
        var found = await ClinicTenancy.FindInAnyDatabase<DeviceSession>(store, d => d.Id == deviceId, cancellation);
        if (found is null) return NotIssued();

        await using var clinic = store.LightweightSession(found.ClinicId.ToString());
        // Serialises this refresh with another of the same device and with signing it out.
        var stream = await clinic.Events.FetchForExclusiveWriting<Episode>(found.EpisodeId, cancellation);
        var device = (await clinic.LoadAsync<DeviceSession>(deviceId, cancellation))!;
        var now = clock.GetUtcNow();
        var hash = OneTimeSecret.Hash(request.RefreshToken!);

        // Why a phone was signed out (an erasure among the reasons) is told only to whoever holds one of its tokens.
        if (device.SignOutReason is { } reason)
        {
            return hash == device.RefreshTokenHash || device.ReplacedTokenHashes.Contains(hash)
                ? SignedOut(reason)
                : NotIssued();
        }
        // The answer to the previous refresh was lost (a phone on a bad network): the token it
        // replaced works once more for a minute instead of signing the patient out.
        var retried = device.ReplacedTokenHashes.Count > 0 && device.ReplacedTokenHashes[^1] == hash && now - device.LastUsedAt <= LostAnswerGrace;
        if (device.ReplacedTokenHashes.Contains(hash) && !retried)
        {
            // Someone else has a copy of this phone's refresh token: end the session for both of them.
            if (device.SignOut(SignOutReason.RefreshTokenReused, null, now) is { } signedOut)
            {
                clinic.Store(device);
                stream.AppendOne(signedOut);
                clinic.DeleteWhere<WebPushSubscription>(s => s.DeviceId == device.Id);
                await clinic.SaveChangesAsync(cancellation);
            }
            return SignedOut(SignOutReason.RefreshTokenReused);
        }
        if ((hash != device.RefreshTokenHash && !retried) || !device.IsActive(now, settings))
        {
            return NotSignedIn("This phone is signed out. Ask your clinic for a new invitation.");
        }

        device.ReplacedTokenHashes.Add(device.RefreshTokenHash);
        // Bounded, so a phone used for months does not carry every token it ever had: a copy
        // older than this many refreshes (weeks, for a daily check-in) is merely unknown (401).
        if (device.ReplacedTokenHashes.Count > DeviceSession.ReplacedTokensKept) device.ReplacedTokenHashes.RemoveAt(0);
        device.LastUsedAt = now;
        var issued = await tokens.Issue(device, cancellation);
        clinic.Store(device);
        await clinic.SaveChangesAsync(cancellation);
        return TypedResults.Ok(issued);
    }

    [WolverineGet("/api/me/devices", Name = "ListMyDevices")]
    [Authorize(Policy = Policies.Patient)]
    public static async Task<IReadOnlyList<DeviceView>> MyDevices(ClaimsPrincipal user, IDocumentSession session, CancellationToken cancellation)
    {
        var caller = Caller.From(user);
        var devices = await session.Query<DeviceSession>()
            .Where(d => d.PatientId == caller.UserId && d.ClinicId == caller.ClinicId && d.SignedOutAt == null)
            .OrderBy(d => d.CreatedAt).ToListAsync(cancellation);
        return devices.Select(DeviceView.Of).ToList();
    }

    /// <summary>
    /// The clinic's phone <paramref name="deviceId"/>, or null if the clinic has none by that id.
    /// Read on every request with a phone's token, so a signed-out phone is refused at once
    /// instead of living out its token's minutes.
    /// </summary>
    public static async Task<DeviceSession?> Find(IDocumentStore store, Guid clinic, Guid deviceId, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(store);
        await using var session = store.QuerySession(clinic.ToString());
        var device = await session.LoadAsync<DeviceSession>(deviceId, cancellation);
        return device?.ClinicId == clinic ? device : null;
    }

    /// <summary>
    /// The 401 a signed-out phone gets, from a refresh or any other route. It says why, so the
    /// app can tell the patient: a closed episode is not a phone reported lost.
    /// </summary>
    public static ProblemHttpResult SignedOut(SignOutReason reason) => TypedResults.Problem(
        statusCode: StatusCodes.Status401Unauthorized,
        title: "Signed out",
        detail: reason switch
        {
            SignOutReason.ByPatient => "This phone was signed out from the app. Ask your clinic for a new invitation.",
            SignOutReason.ByClinic => "The clinic signed this phone out. Ask your clinic for a new invitation.",
            SignOutReason.RefreshTokenReused => "This phone's refresh token was used twice, so the phone was signed out to be safe. Ask your clinic for a new invitation.",
            SignOutReason.Erasure => "The patient's data was erased at their request, and this phone signed out.",
            SignOutReason.EpisodeClosed => "This episode of care was closed (by the patient, their physiotherapist or the clinic), and this phone signed out. Check-ins it had not sent were not recorded.",
            _ => throw new ArgumentOutOfRangeException(nameof(reason), reason, null),
        },
        extensions: new Dictionary<string, object?> { ["signedOut"] = WireNames.Of(reason) });

    [WolverineDelete("/api/me/devices/{deviceId}", Name = "SignOutMyDevice")]
    [Authorize(Policy = Policies.Patient)]
    public static async Task<IResult> SignOutMine(Guid deviceId, ClaimsPrincipal user, IDocumentSession session, TimeProvider clock, CancellationToken cancellation)
    {
        var caller = Caller.From(user);
        var device = await session.LoadAsync<DeviceSession>(deviceId, cancellation);
        if (device is null || device.ClinicId != caller.ClinicId || device.PatientId != caller.UserId) return DeviceNotFound(deviceId);
        var stream = await session.FetchVisibleForWriting(device.EpisodeId, caller, cancellation);
        if (stream is null) return DeviceNotFound(deviceId);
        await SignOut(session, stream, [deviceId], SignOutReason.ByPatient, caller.UserId, clock.GetUtcNow(), cancellation);
        return TypedResults.NoContent();
    }

    [WolverineGet("/api/episodes/{episodeId}/devices", Name = "ListEpisodeDevices")]
    [Authorize(Policy = Policies.Clinician)]
    public static async Task<IResult> EpisodeDevices(Guid episodeId, ClaimsPrincipal user, IDocumentSession session, TimeProvider clock, CancellationToken cancellation)
    {
        var caller = Caller.From(user);
        if (await session.LoadVisible(episodeId, caller, "devices", clock, cancellation) is null) return Problems.EpisodeNotFound(episodeId);
        var devices = await session.Query<DeviceSession>()
            .Where(d => d.EpisodeId == episodeId && d.ClinicId == caller.ClinicId)
            .OrderBy(d => d.CreatedAt).ToListAsync(cancellation);
        return TypedResults.Ok(devices.Select(DeviceView.Of).ToList());
    }

    /// <summary>A lost phone is cut off by the clinic: its refresh token stops working at once.</summary>
    [WolverineDelete("/api/episodes/{episodeId}/devices/{deviceId}", Name = "SignOutEpisodeDevice")]
    [Authorize(Policy = Policies.Clinician)]
    public static async Task<IResult> SignOutForPatient(Guid episodeId, Guid deviceId, ClaimsPrincipal user, IDocumentSession session, TimeProvider clock, CancellationToken cancellation)
    {
        var caller = Caller.From(user);
        var stream = await session.FetchVisibleForWriting(episodeId, caller, cancellation);
        if (stream is null) return Problems.EpisodeNotFound(episodeId);
        var device = await session.LoadAsync<DeviceSession>(deviceId, cancellation);
        if (device is null || device.ClinicId != caller.ClinicId || device.EpisodeId != episodeId) return DeviceNotFound(deviceId);
        await SignOut(session, stream, [deviceId], SignOutReason.ByClinic, caller.UserId, clock.GetUtcNow(), cancellation);
        return TypedResults.NoContent();
    }

    /// <summary>
    /// Closing the episode or erasing the patient's data: every phone of the episode is signed
    /// out and every unused invitation withdrawn, in the same transaction.
    /// </summary>
    public static async Task EndAll(IDocumentSession session, IEventStream<Episode> stream, SignOutReason reason, Guid by, DateTimeOffset now, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(session);
        ArgumentNullException.ThrowIfNull(stream);
        var devices = await session.Query<DeviceSession>().Where(d => d.EpisodeId == stream.Id && d.SignedOutAt == null).Select(d => d.Id).ToListAsync(cancellation);
        await SignOut(session, stream, devices, reason, by, now, cancellation);
        if (reason == SignOutReason.Erasure)
        {
            // The phone's name is text the patient chose: erased like their notes, signed-out phones included.
            var named = await session.Query<DeviceSession>().Where(d => d.EpisodeId == stream.Id && d.SignedOutAt != null && !devices.Contains(d.Id)).ToListAsync(cancellation);
            foreach (var device in named)
            {
                device.DeviceName = PatientRights.PatientRightsEndpoints.Erased;
                session.Store(device);
            }
        }
        var unused = await session.Query<Invitation>().Where(i => i.EpisodeId == stream.Id && i.RedeemedAt == null && i.WithdrawnAt == null).ToListAsync(cancellation);
        foreach (var invitation in unused)
        {
            invitation.WithdrawnAt = now;
            session.Store(invitation);
            stream.AppendOne(new InvitationWithdrawn(stream.Id, invitation.Id, by, now));
        }
    }

    private static async Task SignOut(IDocumentSession session, IEventStream<Episode> stream, IReadOnlyList<Guid> deviceIds, SignOutReason reason, Guid by, DateTimeOffset now, CancellationToken cancellation)
    {
        foreach (var id in deviceIds)
        {
            // Loaded after the episode's lock, so a refresh that got there first is seen.
            var device = await session.LoadAsync<DeviceSession>(id, cancellation);
            if (device?.SignOut(reason, by, now) is not { } signedOut) continue;
            if (reason == SignOutReason.Erasure) device.DeviceName = PatientRights.PatientRightsEndpoints.Erased;
            session.Store(device);
            stream.AppendOne(signedOut);
            // A signed-out phone gets no more reminders: its push subscriptions go with it.
            session.DeleteWhere<WebPushSubscription>(s => s.DeviceId == id);
        }
    }

    private static ProblemHttpResult UnknownInvitation() => TypedResults.Problem(
        statusCode: StatusCodes.Status404NotFound,
        title: "Invitation not found",
        detail: "This invitation code does not sign anyone in. Check that the whole link was opened, or ask your clinic for a new one.");

    private static ProblemHttpResult Gone(string detail) => TypedResults.Problem(
        statusCode: StatusCodes.Status410Gone,
        title: "Invitation no longer works",
        detail: detail + " Ask your clinic for a new invitation.");

    private static ProblemHttpResult NotIssued() => NotSignedIn("This refresh token is not one the service issued.");

    private static ProblemHttpResult NotSignedIn(string detail) => TypedResults.Problem(
        statusCode: StatusCodes.Status401Unauthorized,
        title: "Signed out",
        detail: detail);

    private static ProblemHttpResult DeviceNotFound(Guid id) => TypedResults.Problem(
        statusCode: StatusCodes.Status404NotFound,
        title: "Device not found",
        detail: $"No signed-in device {id} is visible to you.");
}

/// <summary>Issues what a device session holds: access tokens signed with the service's key, and refresh tokens.</summary>
public sealed class DeviceTokens(ServiceSigningKeys keys, DeviceTokenSettings settings, JwtSettings jwt, PublicAddress site)
{
    private static readonly JsonWebTokenHandler Handler = new() { SetDefaultTimesOnTokenCreation = false };

    /// <summary>A new pair; the session keeps only the new refresh token's hash.</summary>
    public async Task<SessionTokens> Issue(DeviceSession device, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(device);
        // The token handler checks lifetimes against the real clock, so tokens are dated by it too.
        var now = DateTimeOffset.UtcNow;
        var accessToken = Handler.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = site.Issuer,
            Audience = jwt.Audience,
            IssuedAt = now.UtcDateTime,
            NotBefore = now.UtcDateTime,
            Expires = now.Add(settings.AccessTokenLifetime).UtcDateTime,
            Subject = new ClaimsIdentity(
            [
                new Claim(Caller.SubjectClaim, device.PatientId.ToString()),
                new Claim(Caller.RoleClaim, WireNames.Of(Role.Patient)),
                new Claim(Caller.ClinicClaim, device.ClinicId.ToString()),
                new Claim(JwtRegisteredClaimNames.Sid, device.Id.ToString()),
            ]),
            SigningCredentials = await keys.Current(cancellation),
        });
        // The device id up front finds the session without a search; the rest is the secret.
        var refreshToken = $"{device.Id:N}.{OneTimeSecret.New(DeviceSessionEndpoints.RefreshTokenBytes)}";
        device.RefreshTokenHash = OneTimeSecret.Hash(refreshToken);
        return new SessionTokens(accessToken, refreshToken, (int)settings.AccessTokenLifetime.TotalSeconds, device.Id, device.EpisodeId, device.PatientId, device.ClinicId);
    }

    public static Guid? DeviceOf(string? refreshToken) =>
        refreshToken is { Length: <= 200 } && refreshToken.Split('.') is [var device, { Length: > 0 }] && Guid.TryParseExact(device, "N", out var id) ? id : null;
}
