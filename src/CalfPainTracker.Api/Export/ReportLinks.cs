using System.Globalization;
using System.Security.Claims;
using CalfPainTracker.Episodes;
using CalfPainTracker.Http;
using CalfPainTracker.Operations;
using CalfPainTracker.Security;
using CalfPainTracker.Trends;
using Marten;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Authorization;
using Wolverine.Http;

namespace CalfPainTracker.Export;

/// <summary>
/// A link that opens an episode's doctor report without signing in, until it expires or is
/// revoked. Only the SHA-256 of its token is stored, so a copy of the database opens nothing.
/// Kept outside the clinic tenancy (the person opening it has no clinic); the clinic is
/// recorded here and every signed-in use checks it.
/// </summary>
public sealed class ReportLink
{
    public Guid Id { get; set; }
    public string TokenHash { get; set; } = "";
    public Guid ClinicId { get; set; }
    public Guid EpisodeId { get; set; }
    public DateOnly? From { get; set; }
    public DateOnly? To { get; set; }
    public Guid CreatedBy { get; set; }
    public Role CreatedByRole { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset ExpiresAt { get; set; }
    public DateTimeOffset? RevokedAt { get; set; }
    public Guid? RevokedBy { get; set; }

    /// <summary>32 random bytes, base64url: unguessable, and safe in a URL path.</summary>
    public static string NewToken() => OneTimeSecret.New(32);

    /// <summary>Stops the link working; revoking twice keeps the first revocation.</summary>
    public void Revoke(Guid by, DateTimeOffset at)
    {
        if (RevokedAt is not null) return;
        RevokedAt = at;
        RevokedBy = by;
    }
}

public sealed record ReportLinkRequest(string? From, string? To, int? ExpiresInDays);

public sealed record ReportLinkCreated(Guid Id, string Url, DateTimeOffset ExpiresAt);

/// <summary>A link that still opens; its address is not kept (only its hash), so it cannot be shown again.</summary>
public sealed record SharedReportLink(Guid Id, DateOnly? From, DateOnly? To, Role CreatedByRole, bool CreatedByYou, DateTimeOffset CreatedAt, DateTimeOffset ExpiresAt);

public static class ReportLinkEndpoints
{
    public const int DefaultExpiryDays = 7;
    public const int LongestExpiryDays = 30;

    /// <summary>The patient or a clinician who may see the episode shares its report, for a period, for a few days.</summary>
    [WolverinePost("/api/episodes/{episodeId}/report-links", Name = "CreateReportLink")]
    public static async Task<IResult> Create(
        Guid episodeId, ReportLinkRequest request, ClaimsPrincipal user, IDocumentSession session, TimeProvider clock, PublicAddress site, CancellationToken cancellation)
    {
        var errors = new FieldErrors();
        var (first, last) = ExportEndpoints.ReportPeriod(errors, request.From, request.To);
        errors.InRange("expiresInDays", request.ExpiresInDays, 1, LongestExpiryDays);
        if (errors.Any) return errors.ToResult();

        var caller = Caller.From(user);
        var episode = await session.LoadVisible(episodeId, caller, "report link", clock, cancellation);
        if (episode is null) return Problems.EpisodeNotFound(episodeId);

        var now = clock.GetUtcNow();
        var token = ReportLink.NewToken();
        var link = new ReportLink
        {
            Id = Guid.CreateVersion7(),
            TokenHash = OneTimeSecret.Hash(token),
            ClinicId = caller.ClinicId,
            EpisodeId = episodeId,
            From = first,
            To = last,
            CreatedBy = caller.UserId,
            CreatedByRole = caller.Role,
            CreatedAt = now,
            ExpiresAt = now.AddDays(request.ExpiresInDays ?? DefaultExpiryDays),
        };
        session.Store(link);

        var url = site.Link($"/r/{token}");
        return TypedResults.Created(url, new ReportLinkCreated(link.Id, url, link.ExpiresAt));
    }

    /// <summary>The episode's links that still open, newest first: whoever may see the episode sees who shared what, until when.</summary>
    [WolverineGet("/api/episodes/{episodeId}/report-links", Name = "ListReportLinks")]
    public static async Task<IResult> List(Guid episodeId, ClaimsPrincipal user, IDocumentSession session, TimeProvider clock, CancellationToken cancellation)
    {
        var caller = Caller.From(user);
        if (await session.LoadVisible(episodeId, caller, "report links", clock, cancellation) is null) return Problems.EpisodeNotFound(episodeId);
        var now = clock.GetUtcNow();
        var links = await session.Query<ReportLink>()
            .Where(l => l.ClinicId == caller.ClinicId && l.EpisodeId == episodeId && l.RevokedAt == null && l.ExpiresAt > now)
            .OrderByDescending(l => l.CreatedAt).ToListAsync(cancellation);
        return TypedResults.Ok(links.Select(l => new SharedReportLink(l.Id, l.From, l.To, l.CreatedByRole, l.CreatedBy == caller.UserId, l.CreatedAt, l.ExpiresAt)).ToList());
    }

    /// <summary>Its creator or a clinic administrator ends a link at once; revoking twice is harmless.</summary>
    [WolverineDelete("/api/report-links/{linkId}", Name = "RevokeReportLink")]
    public static async Task<IResult> Revoke(Guid linkId, ClaimsPrincipal user, IDocumentSession session, TimeProvider clock, CancellationToken cancellation)
    {
        var caller = Caller.From(user);
        var link = await session.LoadAsync<ReportLink>(linkId, cancellation);
        if (link is null || link.ClinicId != caller.ClinicId) return LinkNotFound(linkId);

        if (link.CreatedBy != caller.UserId && caller.Role != Role.ClinicAdmin)
        {
            // As for episodes: someone who may see the episode is told why; anyone else learns nothing.
            var episode = await session.LoadAsync<Episode>(link.EpisodeId, cancellation);
            return episode is not null && caller.CanSee(episode)
                ? TypedResults.Problem(
                    statusCode: StatusCodes.Status403Forbidden,
                    title: "Not your link",
                    detail: "Only whoever made a report link, or a clinic administrator, may revoke it.")
                : LinkNotFound(linkId);
        }

        link.Revoke(caller.UserId, clock.GetUtcNow());
        session.Store(link);
        return TypedResults.NoContent();
    }

    /// <summary>
    /// The report behind a share link, without signing in. Made afresh from the record as it
    /// is now, for the period and audience fixed when the link was made; each opening is
    /// recorded in the clinic's record-access audit under the link's creator.
    /// </summary>
    [WolverineGet("/r/{token}", Name = "OpenReportLink")]
    [AllowAnonymous]
    public static async Task<IResult> Open(string token, IDocumentStore store, TimeProvider clock, HttpResponse response, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(response);
        var now = clock.GetUtcNow();

        var hash = OneTimeSecret.Hash(token);
        var link = await ClinicTenancy.FindInAnyDatabase<ReportLink>(store, l => l.TokenHash == hash, cancellation);
        if (link is null) return UnknownLink();
        if (link.RevokedAt is not null) return Gone("This report link was revoked by the person who shared it or by the clinic.");
        if (link.ExpiresAt <= now) return Gone($"This report link expired on {link.ExpiresAt.UtcDateTime.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture)} UTC.");

        await using var clinic = store.LightweightSession(link.ClinicId.ToString());
        var episode = await clinic.LoadAsync<Episode>(link.EpisodeId, cancellation);
        if (episode is null) return Gone("The record this link pointed to is no longer held.");
        var history = await EpisodeHistory.Of(clinic, link.EpisodeId, cancellation);
        clinic.Store(new RecordAccess(Guid.CreateVersion7(), link.CreatedBy, link.CreatedByRole, episode.PatientId, episode.Id, $"doctor report through share link {link.Id}", now));
        await clinic.SaveChangesAsync(cancellation);

        var scope = new ReportScope(link.From, link.To, link.CreatedByRole, now, new SharedLinkNote(link.CreatedByRole, link.CreatedAt, link.ExpiresAt));
        var pdf = DoctorReport.Render(episode, history, scope);
        // Outside /api the security headers allow caching; a health record must not stay in a shared cache.
        response.Headers.CacheControl = "no-store";
        response.Headers["X-Robots-Tag"] = "noindex";
        return ExportEndpoints.Pdf(pdf, episode.Id, response);
    }

    private static ProblemHttpResult LinkNotFound(Guid id) => TypedResults.Problem(
        statusCode: StatusCodes.Status404NotFound,
        title: "Report link not found",
        detail: $"No report link {id} is visible to you.");

    private static ProblemHttpResult UnknownLink() => TypedResults.Problem(
        statusCode: StatusCodes.Status404NotFound,
        title: "Report link not found",
        detail: "This link does not open any report. Check that it was copied whole.");

    private static ProblemHttpResult Gone(string detail) => TypedResults.Problem(
        statusCode: StatusCodes.Status410Gone,
        title: "Report link no longer works",
        detail: detail + " Ask for a new link.");
}
