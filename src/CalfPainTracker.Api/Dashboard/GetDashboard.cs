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
        var query = session.Query<PatientTriage>().Where(t => t.Status == EpisodeStatus.Open);
        if (caller.Role == Role.Physio) query = query.Where(t => t.PhysiotherapistId == caller.UserId);
        // The row's source alone, one field per document: not the days it was worked out from.
        var sources = await query.Select(t => t.Source).ToListAsync(cancellation);
        var now = clock.GetUtcNow();
        return new DashboardView(now, Triage.Order(sources.Select(e => Triage.Row(e, Episode.LocalDayIn(e.TimeZone, now)))));
    }
}
