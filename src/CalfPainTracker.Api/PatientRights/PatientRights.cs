using System.Security.Claims;
using CalfPainTracker.Alerts;
using CalfPainTracker.CheckIns;
using CalfPainTracker.Enrolment;
using CalfPainTracker.Episodes;
using CalfPainTracker.Export;
using JasperFx.Events;
using CalfPainTracker.Notifications;
using CalfPainTracker.Security;
using CalfPainTracker.Timeline;
using CalfPainTracker.Trends;
using Marten;
using Microsoft.AspNetCore.Authorization;
using Wolverine.Http;

namespace CalfPainTracker.PatientRights;

/// <summary>A patient asked for their data to be erased; kept in the stream as the clinic's record that it was done.</summary>
public sealed record PatientDataErased(Guid EpisodeId, Guid PatientId, DateTimeOffset At);

/// <summary>
/// What <c>GET /api/me/export</c> answers: everything held about the patient, in a shape of its
/// own (documented in README, "The patient's own data") and without what is for clinicians only:
/// no Wells examination, in any part.
/// </summary>
public sealed record PatientExport(
    Guid PatientId,
    string ClinicId,
    DateTimeOffset ExportedAt,
    IReadOnlyList<PatientEpisodeRecord> Episodes,
    string WhatIsKept,
    string Disclaimer);

public sealed record PatientEpisodeRecord(
    EpisodeSummary Episode,
    IReadOnlyList<CheckInVersion> CheckIns,
    IReadOnlyList<Alert> Alerts,
    IReadOnlyList<QuestionnaireAnswers> Questionnaires,
    RecoveryTrend Trend,
    IReadOnlyList<HistoryEntry> History);

/// <summary>Every check-in as it was sent, corrections included, in the order they arrived.</summary>
public sealed record CheckInVersion(bool Correction, CheckIn CheckIn);

public sealed record QuestionnaireAnswers(string Questionnaire, DateOnly Day, IReadOnlyList<int> Answers, int Total);

/// <summary>One thing that happened to the episode, named in this export's own words (<c>what</c>), never the event store's.</summary>
public sealed record HistoryEntry(DateTimeOffset At, string What, string Detail);

public sealed record ErasureDone(Guid PatientId, int Episodes, DateTimeOffset At, string WhatIsKept);

/// <summary>
/// The patient's rights over their own record. Erasure masks the free text the patient wrote
/// (check-in notes) in the event store itself, in the same transaction that closes the episodes,
/// records the erasure and revokes the patient's share links: from the patient's point of view it
/// has happened completely or not at all. Every read model masks the notes when it applies
/// <see cref="PatientDataErased"/>, the last event of the stream, so a projection that had read the
/// notes before (the async daemon mid-page, a rebuild) still ends masked. Masking rather than
/// crypto-shredding: the only identifying free text is one field of two event types, masking
/// rewrites it in place with no key store to run, and the clinic's clinical record (pain scores,
/// symptoms, alerts and their handling) is kept as the law on medical records requires. Patients
/// are identified only by a UUID from the clinic's identity provider; names are never stored.
/// </summary>
public static class PatientRightsEndpoints
{
    public const string Erased = "[erased at the patient's request]";

    public const string WhatIsKept =
        "Kept for the clinic's legal medical record: the pseudonymous patient id, dates, pain scores, swelling, measurements, " +
        "treatments, symptoms, alerts with their handling, Wells examinations and the audit of who read the record. " +
        "Erased: every free-text note the patient wrote and the names they gave their phones, in the event store and in every read model. Ended: every report link to the record, every signed-in phone and every unused invitation.";

    /// <summary>
    /// The clinicians' timeline as the patient may read it. A list of what is shown rather than of
    /// what is hidden: a kind added later (a clinician-only one above all) stays out until it is
    /// named here. Never named: the Wells examination (clinical-reference.md section 3), clinician
    /// notes and the per-patient tuning of alerts.
    /// </summary>
    private static readonly HashSet<string> ShownToPatients = new(StringComparer.Ordinal)
    {
        "episode-opened", "physiotherapist-assigned", "plan-set", "check-in-logged", "check-in-corrected",
        "alert-raised", "alert-severity-raised", "alert-acknowledged", "alert-resolved", "alert-cleared", "alert-escalated",
        "reminder-sent", "questionnaire-answered", "invited", "invitation-withdrawn", "device-signed-in", "device-signed-out",
        "data-erased", "episode-closed",
    };

    public static CheckIn Masked(CheckIn checkIn) => checkIn.Notes is null ? checkIn : checkIn with { Notes = Erased };

    /// <summary>The stored event rewritten with the patient's text masked, or null when it holds none.</summary>
    private static IEvent? MaskedCopy(IEvent stored, DateTimeOffset now)
    {
        IEvent? masked = stored.Data switch
        {
            CheckInLogged { CheckIn.Notes: not null and not Erased } e => Event.For(e with { CheckIn = Masked(e.CheckIn) }),
            CheckInCorrected { CheckIn.Notes: not null and not Erased } e => Event.For(e with { CheckIn = Masked(e.CheckIn) }),
            Enrolment.DeviceEnrolled { DeviceName: not Erased } e => Event.For(e with { DeviceName = Erased }),
            _ => null,
        };
        if (masked is null) return null;
        // Overwriting rewrites the row's data and headers by its sequence; the rest of the row stays.
        masked.Sequence = stored.Sequence;
        masked.Headers = new Dictionary<string, object>(stored.Headers ?? []) { ["erased"] = now };
        return masked;
    }

    [WolverineGet("/api/me/export", Name = "ExportMyData")]
    [Authorize(Policy = Policies.Patient)]
    public static async Task<PatientExport> Export(ClaimsPrincipal user, IQuerySession session, TimeProvider clock, CancellationToken cancellation)
    {
        var caller = Caller.From(user);
        var records = new List<PatientEpisodeRecord>();
        foreach (var episode in await Episodes(session, caller, cancellation))
        {
            var events = await session.Events.FetchStreamAsync(episode.Id, token: cancellation);
            var history = EpisodeHistory.From(episode.Id, events);
            records.Add(new PatientEpisodeRecord(
                EpisodeSummary.Of(episode),
                events.Select(e => e.Data switch
                {
                    CheckInLogged logged => new CheckInVersion(false, logged.CheckIn),
                    CheckInCorrected corrected => new CheckInVersion(true, corrected.CheckIn),
                    _ => null,
                }).OfType<CheckInVersion>().ToList(),
                episode.Alerts,
                history.Lefs.Select(l => new QuestionnaireAnswers("lefs", l.Day, l.Answers, l.Total)).ToList(),
                history.Compute(),
                EpisodeTimeline.Fold(events.Select(e => e.Data))
                    .Where(e => ShownToPatients.Contains(e.Kind))
                    .Select(e => new HistoryEntry(e.At, e.Kind, e.Summary)).ToList()));
        }
        return new PatientExport(caller.UserId, session.TenantId, clock.GetUtcNow(), records, WhatIsKept, Disclaimer.Text);
    }

    [WolverineDelete("/api/me", Name = "EraseMyData")]
    [Authorize(Policy = Policies.Patient)]
    public static async Task<ErasureDone> Erase(ClaimsPrincipal user, IDocumentSession session, TimeProvider clock, CancellationToken cancellation)
    {
        var caller = Caller.From(user);
        var now = clock.GetUtcNow();
        var episodes = await Episodes(session, caller, cancellation);
        foreach (var episode in episodes)
        {
            // The episode's lock holds back check-ins until the erasure has committed.
            var stream = await session.Events.FetchForExclusiveWriting<Episode>(episode.Id, cancellation);
            foreach (var stored in await session.Events.FetchStreamAsync(episode.Id, token: cancellation))
            {
                if (MaskedCopy(stored, now) is { } masked) session.Events.OverwriteEvent(masked);
            }
            if (episode.Status == EpisodeStatus.Open) stream.AppendOne(new EpisodeClosed(episode.Id, CloseReason.Other, now));
            await DeviceSessionEndpoints.EndAll(session, stream, SignOutReason.Erasure, caller.UserId, now, cancellation);
            stream.AppendOne(new PatientDataErased(episode.Id, caller.UserId, now));
        }

        var episodeIds = episodes.Select(e => e.Id).ToList();
        var links = await session.Query<ReportLink>()
            .Where(l => l.ClinicId == caller.ClinicId && episodeIds.Contains(l.EpisodeId) && l.RevokedAt == null)
            .ToListAsync(cancellation);
        foreach (var link in links)
        {
            link.Revoke(caller.UserId, now);
            session.Store(link);
        }

        // Including any made without a phone's session, which signing the phones out did not reach.
        session.DeleteWhere<WebPushSubscription>(s => s.PatientId == caller.UserId);
        await session.SaveChangesAsync(cancellation);
        return new ErasureDone(caller.UserId, episodes.Count, now, WhatIsKept);
    }

    private static async Task<IReadOnlyList<Episode>> Episodes(IQuerySession session, Caller caller, CancellationToken cancellation) =>
        await session.Query<Episode>().Where(e => e.PatientId == caller.UserId).OrderBy(e => e.OpenedAt).ToListAsync(cancellation);
}
