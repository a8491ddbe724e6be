using CalfPainTracker.Dashboard;
using CalfPainTracker.Episodes;
using CalfPainTracker.Trends;
using JasperFx.Events.Projections;
using Marten;
using Marten.Events.Projections;

namespace CalfPainTracker.Operations;

/// <summary>
/// The three documents folded from an episode's events: the episode (what its decisions need),
/// its triage row (the dashboard) and its trend.
/// </summary>
public static class ReadModels
{
    /// <summary>The name the three go by in a rebuild of all of them (<see cref="RebuildsAll"/>).</summary>
    public const string AllTogether = "EpisodeReadModels";

    /// <summary>
    /// The episode and its triage row are kept inline, so that a check-in's decisions and the
    /// dashboard see exactly what was committed; the trend is kept by the daemon, because trends
    /// are read over weeks and a check-in should not pay for them.
    /// </summary>
    public static void Register(StoreOptions opts, IReadOnlyList<string> commandLine)
    {
        // Filtered on plain columns, so that a physiotherapist's page is an index lookup.
        opts.Schema.For<PatientTriage>().Duplicate(t => t.PhysiotherapistId).Duplicate(t => t.Status);
        if (RebuildsAll(commandLine))
        {
            // Rebuilt one by one, each read model reads and deserialises every event of the store
            // again. As one composite, Marten reads each page of events once and applies it to all
            // three, recording each one's progress under its own shard name, so the service's
            // daemon carries on with the trend from where the rebuild stopped. A composite is only
            // ever run by the daemon, so this shape is for the rebuild command alone.
            opts.Projections.CompositeProjectionFor(AllTogether, all =>
            {
                all.Snapshot<Episode>();
                all.Add<PatientTriageProjection>();
                all.Add<EpisodeTrendProjection>();
            });
            return;
        }
        opts.Projections.Snapshot<Episode>(SnapshotLifecycle.Inline);
        opts.Projections.Add<PatientTriageProjection>(ProjectionLifecycle.Inline);
        opts.Projections.Add<EpisodeTrendProjection>(ProjectionLifecycle.Async);
    }

    /// <summary>
    /// <c>projections rebuild</c> without <c>-p</c>: every read model at once. A rebuild of one named
    /// projection keeps the shapes the service runs, so that the name means what it always did.
    /// </summary>
    public static bool RebuildsAll(IReadOnlyList<string> commandLine) =>
        commandLine is ["projections", "rebuild", ..] && !commandLine.Any(a => a is "-p" or "--projection");
}
