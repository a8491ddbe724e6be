using System.Security.Claims;
using CalfPainTracker.Episodes;
using CalfPainTracker.Security;
using Marten;
using Microsoft.AspNetCore.Authorization;
using Wolverine.Http;

namespace CalfPainTracker.Dashboard;

public sealed record DashboardView(DateTimeOffset GeneratedAt, IReadOnlyList<TriageRow> Patients);

public static class GetDashboardEndpoint
{
    /// <summary>A physiotherapist's open patients (a clinic administrator's: the clinic's), most in need first.</summary>
    [WolverineGet("/api/dashboard", Name = "GetDashboard")]
    [Authorize(Policy = Policies.Clinician)]
    public static async Task<DashboardView> Get(ClaimsPrincipal user, IQuerySession session, TimeProvider clock, CancellationToken cancellation)
    {
        var caller = Caller.From(user);
        var query = session.Query<Episode>().Where(e => e.Status == EpisodeStatus.Open);
        if (caller.Role == Role.Physio) query = query.Where(e => e.PhysiotherapistId == caller.UserId);
        // Only the fields a row is made of: not the check-in history, which grows with every day.
        var sources = await query.Select(TriageSource.FromEpisode).ToListAsync(cancellation);
        var now = clock.GetUtcNow();
        return new DashboardView(now, Triage.Order(sources.Select(e => Triage.Row(e, Episode.LocalDayIn(e.TimeZone, now)))));
    }
}
