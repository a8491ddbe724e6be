using CalfPainTracker.Dashboard;
using CalfPainTracker.Episodes;
using CalfPainTracker.Trends;
using JasperFx;
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
    /// A rebuild runs until it is done unless the operator bounds it with <c>--shard-timeout</c>:
    /// Marten's default, five minutes, is a fraction of a real store's rebuild (docs/operations.md).
    /// </summary>
    public const string RebuildTimeout = "7d";

    /// <summary>
    /// Runs the command line. A rebuild must then show that its read models reached the last event
    /// there was when it began: Marten's one-pass rebuild stops quietly when its shard timeout runs
    /// out and still reports success, and the service would then serve decisions and a dashboard
    /// from episodes folded from part of their history.
    /// </summary>
    public static async Task<int> RunCommandLine(WebApplication app, string[] args)
    {
        if (args is not ["projections", "rebuild", ..]) return await app.RunJasperFxCommands(args);
        var database = app.Services.GetRequiredService<IDocumentStore>().Storage.Database;
        var lastEvent = await database.FetchHighestEventSequenceNumber(CancellationToken.None);
        var exitCode = await app.RunJasperFxCommands(args.Contains("--shard-timeout") ? args : [.. args, "--shard-timeout", RebuildTimeout]);
        if (exitCode != 0) return exitCode;
        var shard = $"{RebuiltProjection(args)}:All";
        var reached = (await database.AllProjectionProgress(CancellationToken.None)).SingleOrDefault(p => p.ShardName == shard)?.Sequence ?? 0;
        if (reached >= lastEvent) return 0;
        await Console.Error.WriteLineAsync(
            $"The rebuild of {shard} stopped at event {reached} of {lastEvent}: its read models are incomplete and the service must not start on them. " +
            "Run the rebuild again; if it ran out of time, give it a longer --shard-timeout.");
        return 1;
    }

    private static string RebuiltProjection(string[] commandLine)
    {
        if (RebuildsAll(commandLine)) return AllTogether;
        var named = Array.FindIndex(commandLine, a => a is "-p" or "--projection");
        return commandLine[named + 1];
    }

    /// <summary>
    /// <c>projections rebuild</c> without <c>-p</c>: every read model at once. A rebuild of one named
    /// projection keeps the shapes the service runs, so that the name means what it always did.
    /// </summary>
    public static bool RebuildsAll(IReadOnlyList<string> commandLine) =>
        commandLine is ["projections", "rebuild", ..] && !commandLine.Any(a => a is "-p" or "--projection");
}
