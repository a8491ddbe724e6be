using System.Security.Claims;
using CalfPainTracker.CheckIns;
using CalfPainTracker.Episodes;
using CalfPainTracker.Security;
using CalfPainTracker.Trends;
using Marten;
using Microsoft.AspNetCore.Authorization;
using Wolverine.Http;

namespace CalfPainTracker.PatientRights;

/// <summary>A patient asked for their data to be erased; kept in the stream as the clinic's record that it was done.</summary>
public sealed record PatientDataErased(Guid EpisodeId, Guid PatientId, DateTimeOffset At);

public sealed record StoredEvent(long Sequence, string Type, DateTimeOffset At, object Data);

public sealed record EpisodeRecord(Episode Episode, RecoveryTrend Trend, IReadOnlyList<StoredEvent> Events);

/// <summary>Everything the service holds about the caller.</summary>
public sealed record MyData(Guid PatientId, string ClinicId, DateTimeOffset ExportedAt, IReadOnlyList<EpisodeRecord> Episodes, string WhatIsKept);

public sealed record ErasureDone(Guid PatientId, int Episodes, DateTimeOffset At, string WhatIsKept);

/// <summary>
/// The patient's rights over their own record. Erasure masks the free text the patient wrote
/// (check-in notes) in the event store itself, using Marten's event data masking, then
/// rebuilds the read models from the masked events. Masking rather than crypto-shredding:
/// the only identifying free text is one field of two event types, masking rewrites it in
/// place with no key store to run, and the clinic's clinical record (pain scores, symptoms,
/// alerts and their handling) is kept as the law on medical records requires. Patients are
/// identified only by a UUID from the clinic's identity provider; names are never stored.
/// </summary>
public static class PatientRightsEndpoints
{
    public const string Erased = "[erased at the patient's request]";

    public const string WhatIsKept =
        "Kept for the clinic's legal medical record: the pseudonymous patient id, dates, pain scores, swelling, measurements, " +
        "treatments, symptoms, alerts with their handling, Wells examinations and the audit of who read the record. " +
        "Erased: every free-text note the patient wrote, in the event store and in every read model.";

    /// <summary>Registers the masking rules: what erasure rewrites in stored events.</summary>
    public static void MaskPatientText(StoreOptions options)
    {
        options.Events.AddMaskingRuleForProtectedInformation<CheckInLogged>(e => e with { CheckIn = Masked(e.CheckIn) });
        options.Events.AddMaskingRuleForProtectedInformation<CheckInCorrected>(e => e with { CheckIn = Masked(e.CheckIn) });
    }

    private static CheckIn Masked(CheckIn checkIn) => checkIn.Notes is null ? checkIn : checkIn with { Notes = Erased };

    [WolverineGet("/api/me/export", Name = "ExportMyData")]
    [Authorize(Policy = Policies.Patient)]
    public static async Task<MyData> Export(ClaimsPrincipal user, IQuerySession session, TimeProvider clock, CancellationToken cancellation)
    {
        var caller = Caller.From(user);
        var records = new List<EpisodeRecord>();
        foreach (var episode in await Episodes(session, caller, cancellation))
        {
            var history = await EpisodeTrend.Live(session, episode.Id, cancellation);
            var events = await session.Events.FetchStreamAsync(episode.Id, token: cancellation);
            records.Add(new EpisodeRecord(episode, history.Compute(),
                events.Select(e => new StoredEvent(e.Sequence, e.EventTypeName, e.Timestamp, e.Data)).ToList()));
        }
        return new MyData(caller.UserId, session.TenantId, clock.GetUtcNow(), records, WhatIsKept);
    }

    [WolverineDelete("/api/me", Name = "EraseMyData")]
    [Authorize(Policy = Policies.Patient)]
    public static async Task<ErasureDone> Erase(ClaimsPrincipal user, IDocumentSession session, IDocumentStore store, TimeProvider clock, CancellationToken cancellation)
    {
        var caller = Caller.From(user);
        var now = clock.GetUtcNow();
        var episodes = await Episodes(session, caller, cancellation);
        foreach (var episode in episodes)
        {
            var stream = await session.Events.FetchForExclusiveWriting<Episode>(episode.Id, cancellation);
            if (episode.Status == EpisodeStatus.Open) stream.AppendOne(new EpisodeClosed(episode.Id, CloseReason.Other, now));
            stream.AppendOne(new PatientDataErased(episode.Id, caller.UserId, now));
        }
        await session.SaveChangesAsync(cancellation);

        foreach (var episode in episodes)
        {
            await store.Advanced.ApplyEventDataMasking(x =>
            {
                x.IncludeStream(episode.Id);
                x.ForTenant(session.TenantId);
                x.AddHeader("erased", now);
            }, cancellation);
            await store.Advanced.RebuildSingleStreamAsync<Episode>(episode.Id, session.TenantId, cancellation);
            await store.Advanced.RebuildSingleStreamAsync<EpisodeTrend>(episode.Id, session.TenantId, cancellation);
        }
        return new ErasureDone(caller.UserId, episodes.Count, now, WhatIsKept);
    }

    private static async Task<IReadOnlyList<Episode>> Episodes(IQuerySession session, Caller caller, CancellationToken cancellation) =>
        await session.Query<Episode>().Where(e => e.PatientId == caller.UserId).OrderBy(e => e.OpenedAt).ToListAsync(cancellation);
}
