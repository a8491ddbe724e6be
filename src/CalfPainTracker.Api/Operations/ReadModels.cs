using CalfPainTracker.Dashboard;
using CalfPainTracker.Episodes;
using CalfPainTracker.Trends;
using System.Diagnostics;
using JasperFx;
using JasperFx.Core;
using JasperFx.Events.Projections;
using Marten;
using Marten.Events.Projections;
using Marten.Schema.Indexing.Unique;
using Marten.Storage;
using Npgsql;

namespace CalfPainTracker.Operations;

/// <summary>
/// The three documents folded from an episode's events: the episode (what its decisions need),
/// its triage row (the dashboard) and its trend.
/// </summary>
public static class ReadModels
{
    /// <summary>
    /// Progress rows of the three, by the names Marten gives them: the snapshot's document type,
    /// and the projection classes without "Projection".
    /// </summary>
    private static readonly string[] Shards = ["Episode:All", "PatientTriage:All", "EpisodeTrend:All"];

    /// <summary>
    /// Aggregates a rebuild of one read model (<c>-p</c>) keeps in memory before it writes them (setting
    /// <c>Marten:RebuildFlushThreshold</c>; about 14 KB each measured). A live store interleaves
    /// episodes, one check-in a day each, so every page of events touches hundreds of episodes:
    /// written per page, a rebuild rewrites each document once per event. Held until this many
    /// are waiting, each is written once per window; the window only saves writes when it is
    /// several times the number of episodes open at once (docs/operations.md).
    /// </summary>
    public const int DefaultRebuildFlushThreshold = 50_000;

    /// <summary>
    /// A rebuild of one read model runs until it is done unless the operator bounds it with <c>--shard-timeout</c>:
    /// Marten's default, five minutes, is a fraction of a real store's rebuild (docs/operations.md).
    /// </summary>
    private const string RebuildTimeout = "7d";

    /// <summary>
    /// The episode and its triage row are kept inline, so that a check-in's decisions and the
    /// dashboard see exactly what was committed; the trend is kept by the daemon, because trends
    /// are read over weeks and a check-in should not pay for them.
    /// </summary>
    public static void Register(StoreOptions opts, IReadOnlyList<string> commandLine, int rebuildFlushThreshold)
    {
        if (rebuildFlushThreshold < 0) throw new InvalidOperationException("Marten:RebuildFlushThreshold must be 0 (write every page of events) or a number of aggregates held before they are written.");
        // Filtered on plain columns, so that a physiotherapist's page is an index lookup. Each index
        // holds the clinic too: the statement is prepared (DocumentDatabases), and its generic plan,
        // not knowing the clinic, intersected the physiotherapist's index with the clinic's part of
        // the primary key: 19 ms for a page of 500 patients against 0.7 ms on this index.
        opts.Schema.For<PatientTriage>()
            .Duplicate(t => t.PhysiotherapistId, configure: index => index.TenancyScope = TenancyScope.PerTenant)
            .Duplicate(t => t.Status, configure: index => index.TenancyScope = TenancyScope.PerTenant);
        if (RebuiltShards(commandLine) is [_])
        {
            // One read model rebuilt alone runs in Marten's daemon, which writes each aggregate once
            // per flush instead of once per page only for projections it runs; that rebuild serves
            // no check-ins, so here all three run in the daemon. The progress row keeps its name:
            // the service's daemon carries on with the trend from where the rebuild stopped.
            void WrittenOncePerWindow(AsyncOptions options) => options.RebuildFlushThreshold = rebuildFlushThreshold;
            opts.Projections.Snapshot<Episode>(SnapshotLifecycle.Async, WrittenOncePerWindow);
            opts.Projections.Add<PatientTriageProjection>(ProjectionLifecycle.Async, WrittenOncePerWindow);
            opts.Projections.Add<EpisodeTrendProjection>(ProjectionLifecycle.Async, WrittenOncePerWindow);
            return;
        }
        opts.Projections.Snapshot<Episode>(SnapshotLifecycle.Inline);
        opts.Projections.Add<PatientTriageProjection>(ProjectionLifecycle.Inline);
        opts.Projections.Add<EpisodeTrendProjection>(ProjectionLifecycle.Async);
    }

    /// <summary>
    /// Runs the command line; a rebuild of every read model is the service's own, episode by episode,
    /// one of a single read model Marten's. A rebuild must then show that its read models reached
    /// the last event each database held when it began: Marten's rebuild can stop quietly when its
    /// shard timeout runs out and still report success, and the service would then serve decisions
    /// and a dashboard from episodes folded from part of their history.
    /// </summary>
    public static async Task<int> RunCommandLine(WebApplication app, string[] args)
    {
        var rebuilt = RebuiltShards(args);
        if (rebuilt.Count == 0) return await app.RunJasperFxCommands(args);
        var store = app.Services.GetRequiredService<IDocumentStore>();
        var databases = await RebuiltDatabases(store, args);
        if (databases is null) return 1;
        var lastEvents = new List<long>();
        foreach (var database in databases) lastEvents.Add(await LastEvent(database, store.Options.Events.DatabaseSchemaName));

        var timeout = FlagValue(args, "--shard-timeout");
        var exitCode = rebuilt.Count == Shards.Length
            ? await RebuildEveryReadModel(store, databases, lastEvents, timeout)
            : await app.RunJasperFxCommands(timeout is null ? [.. args, "--shard-timeout", RebuildTimeout] : args);

        var behind = new List<string>();
        for (var i = 0; i < databases.Count; i++)
        {
            var progress = await databases[i].AllProjectionProgress(CancellationToken.None);
            foreach (var shard in rebuilt)
            {
                var reached = progress.FirstOrDefault(p => string.Equals(p.ShardName, shard, StringComparison.OrdinalIgnoreCase))?.Sequence ?? 0;
                if (reached < lastEvents[i]) behind.Add($"{shard} at {reached} of {lastEvents[i]} in database {databases[i].Id}");
            }
        }
        if (behind.Count == 0) return exitCode;
        await Console.Error.WriteLineAsync(
            $"The rebuild stopped before the last event: {string.Join(", ", behind)}. " +
            "Its read models are incomplete and the service must not start on them. Run the rebuild again; if it ran out of time, give it a longer --shard-timeout.");
        return exitCode == 0 ? 1 : exitCode;
    }

    /// <summary>
    /// The databases a rebuild's <c>-d</c> or <c>-t</c> names, or all; null, said why, when <c>-d</c>
    /// names none: a clinic the service does not know lives in the shared database, so a mistyped
    /// database would otherwise rebuild the shared one.
    /// </summary>
    private static async Task<IReadOnlyList<IMartenDatabase>?> RebuiltDatabases(IDocumentStore store, string[] args)
    {
        var all = (await store.Storage.AllDatabases()).Cast<MartenDatabase>().ToList();
        if (FlagValue(args, "-d", "--database") is { } named)
        {
            var database = all.FirstOrDefault(d => d.Identifier == named);
            if (database is not null) return [database];
            await Console.Error.WriteLineAsync($"There is no database '{named}': the databases are {string.Join(", ", all.Select(d => d.Identifier))}.");
            return null;
        }
        return FlagValue(args, "-t", "--tenant") is { } clinic ? [await store.Storage.FindOrCreateDatabase(clinic)] : all;
    }

    /// <summary>
    /// Every read model of every database named, episode by episode (<see cref="RebuildEpisodeByEpisode"/>),
    /// for at most <c>--shard-timeout</c> when one is given, as Marten's rebuild is bounded.
    /// </summary>
    private static async Task<int> RebuildEveryReadModel(IDocumentStore store, IReadOnlyList<IMartenDatabase> databases, List<long> lastEvents, string? timeout)
    {
        TimeSpan? limit;
        try
        {
            limit = timeout is null ? null : timeout.ToTime();
        }
        catch (Exception e) when (e is FormatException or ArgumentException or OverflowException)
        {
            await Console.Error.WriteLineAsync($"--shard-timeout '{timeout}' is not a time: give it as 30s, 10m, 2h or 7d.");
            return 1;
        }
        // A timer runs at most about 49 days; a longer limit is none.
        using var cancellation = limit is { } l && l < TimeSpan.FromDays(49) ? new CancellationTokenSource(l) : new CancellationTokenSource();
        var watch = Stopwatch.StartNew();
        try
        {
            var rebuild = new RebuildEpisodeByEpisode(store);
            for (var i = 0; i < databases.Count; i++) await rebuild.Run(databases[i], lastEvents[i], cancellation.Token);
        }
        catch (Exception e)
        {
            // The progress rows, removed when it began, then name the read models left incomplete.
            await Console.Error.WriteLineAsync(cancellation.IsCancellationRequested
                ? $"The rebuild ran out of its --shard-timeout of {timeout}."
                : $"The rebuild failed: {e}");
            return 1;
        }
        // The words Marten's rebuild prints; scripts/bench reads its figure from them.
        Console.WriteLine($"Finished rebuild in {watch.ElapsedMilliseconds} ms");
        return 0;
    }

    /// <summary>
    /// The last event stored, not the sequence's last value: numbers taken by appends that rolled
    /// back, and an empty store's first, never reach a read model.
    /// </summary>
    private static async Task<long> LastEvent(IMartenDatabase database, string schema)
    {
        await using var connection = database.CreateConnection();
        await connection.OpenAsync();
        await using var query = new NpgsqlCommand($"select coalesce(max(seq_id), 0) from {schema}.mt_events", connection);
        try
        {
            return (long)(await query.ExecuteScalarAsync())!;
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UndefinedTable)
        {
            return 0; // no event store yet: nothing a rebuild could fall short of
        }
    }

    /// <summary>The value after a flag, spelled in any case, as the JasperFx command line reads it; "" when it has none.</summary>
    private static string? FlagValue(IReadOnlyList<string> commandLine, params string[] names)
    {
        var at = commandLine.ToList().FindIndex(a => names.Contains(a, StringComparer.OrdinalIgnoreCase));
        return at < 0 ? null : commandLine.ElementAtOrDefault(at + 1) ?? "";
    }

    /// <summary>
    /// The progress rows a command line's rebuild must bring to the last event: all three without
    /// <c>-p</c>, the named one with it, none for any other command (or a <c>-p</c> naming none).
    /// </summary>
    public static IReadOnlyList<string> RebuiltShards(IReadOnlyList<string> commandLine)
    {
        if (commandLine is not ["projections", "rebuild", ..]) return [];
        return FlagValue(commandLine, "-p", "--projection") switch
        {
            null => Shards,
            "" => [],
            var named => [$"{named}:All"],
        };
    }
}
