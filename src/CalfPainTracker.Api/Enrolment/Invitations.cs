using System.Security.Claims;
using CalfPainTracker.Episodes;
using CalfPainTracker.Http;
using CalfPainTracker.Security;
using Marten;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http.HttpResults;
using QRCoder;
using Wolverine.Http;

namespace CalfPainTracker.Enrolment;

/// <summary>
/// A one-time invitation for the patient of an episode to enrol a phone. Only the SHA-256 of its
/// code is kept. Outside the clinic tenancy: the phone redeeming it has no clinic yet.
/// </summary>
public sealed class Invitation
{
    public Guid Id { get; set; }
    public string CodeHash { get; set; } = "";
    public Guid ClinicId { get; set; }
    public Guid EpisodeId { get; set; }
    public Guid PatientId { get; set; }
    public Guid CreatedBy { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset ExpiresAt { get; set; }
    public DateTimeOffset? RedeemedAt { get; set; }
    public Guid? DeviceId { get; set; }
    public DateTimeOffset? WithdrawnAt { get; set; }

    /// <summary>Why the code no longer signs a phone in, said to the person holding it; null while it does.</summary>
    public string? WhyNotUsable(DateTimeOffset now) =>
        RedeemedAt is not null ? "This invitation has already been used to sign a phone in."
        : WithdrawnAt is not null ? "This invitation was withdrawn by your clinic."
        : ExpiresAt <= now ? "This invitation has expired."
        : null;
}

public sealed record InviteRequest(int? ExpiresInHours);

/// <summary>The invitation as the clinician hands it over: the code once, as a link and as a QR code of that link.</summary>
public sealed record InvitationCreated(Guid Id, string Code, string Url, DateTimeOffset ExpiresAt, string QrSvg);

public static class InvitationEndpoints
{
    public const int DefaultExpiryHours = 72;
    public const int LongestExpiryHours = 168;

    /// <summary>128 random bits: the contract's minimum, short enough for a QR code a cheap phone camera reads at once.</summary>
    public const int CodeBytes = 16;

    [WolverinePost("/api/episodes/{episodeId}/invitations", Name = "InvitePatient")]
    [Authorize(Policy = Policies.Clinician)]
    public static async Task<IResult> Invite(
        Guid episodeId, InviteRequest request, ClaimsPrincipal user, IDocumentSession session, PublicAddress site, TimeProvider clock, CancellationToken cancellation)
    {
        var errors = new FieldErrors();
        errors.InRange("expiresInHours", request.ExpiresInHours, 1, LongestExpiryHours);
        if (errors.Any) return errors.ToResult();

        var caller = Caller.From(user);
        var (stream, problem) = await session.FetchOpenForWriting(episodeId, caller, cancellation);
        if (stream is null) return problem!;

        var now = clock.GetUtcNow();
        var code = OneTimeSecret.New(CodeBytes);
        var invitation = new Invitation
        {
            Id = Guid.CreateVersion7(),
            CodeHash = OneTimeSecret.Hash(code),
            ClinicId = caller.ClinicId,
            EpisodeId = episodeId,
            PatientId = stream.Aggregate!.PatientId,
            CreatedBy = caller.UserId,
            CreatedAt = now,
            ExpiresAt = now.AddHours(request.ExpiresInHours ?? DefaultExpiryHours),
        };
        session.Store(invitation);
        stream.AppendOne(new PatientInvited(episodeId, invitation.Id, caller.UserId, invitation.ExpiresAt, now));

        // In the fragment: the code never reaches a server log, not even ours, when the link is opened.
        var url = site.Link($"/app#invite={code}");
        // No Location header: it would carry the code to every proxy and access log on the way.
        return TypedResults.Created((string?)null, new InvitationCreated(invitation.Id, code, url, invitation.ExpiresAt, QrCode(url)));
    }

    /// <summary>An unused invitation stops working at once; withdrawing one already used or withdrawn changes nothing.</summary>
    [WolverineDelete("/api/invitations/{invitationId}", Name = "WithdrawInvitation")]
    [Authorize(Policy = Policies.Clinician)]
    public static async Task<IResult> Withdraw(Guid invitationId, ClaimsPrincipal user, IDocumentSession session, TimeProvider clock, CancellationToken cancellation)
    {
        var caller = Caller.From(user);
        var invitation = await session.LoadAsync<Invitation>(invitationId, cancellation);
        var stream = invitation is null || invitation.ClinicId != caller.ClinicId
            ? null
            : await session.FetchVisibleForWriting(invitation.EpisodeId, caller, cancellation);
        if (stream is null) return NotFound(invitationId);

        invitation = await session.LoadAsync<Invitation>(invitationId, cancellation);
        if (invitation!.RedeemedAt is null && invitation.WithdrawnAt is null)
        {
            var now = clock.GetUtcNow();
            invitation.WithdrawnAt = now;
            session.Store(invitation);
            stream.AppendOne(new InvitationWithdrawn(invitation.EpisodeId, invitation.Id, caller.UserId, now));
        }
        return TypedResults.NoContent();
    }

    private static ProblemHttpResult NotFound(Guid id) => TypedResults.Problem(
        statusCode: StatusCodes.Status404NotFound,
        title: "Invitation not found",
        detail: $"No invitation {id} is visible to you.");

    /// <summary>Medium error correction: still readable from a slightly creased printout.</summary>
    private static string QrCode(string url)
    {
        using var generator = new QRCodeGenerator();
        using var data = generator.CreateQrCode(url, QRCodeGenerator.ECCLevel.M);
        return new SvgQRCode(data).GetGraphic(4);
    }
}
