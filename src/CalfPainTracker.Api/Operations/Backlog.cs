using Marten;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Npgsql;
using Weasel.Postgresql;

namespace CalfPainTracker.Operations;

/// <summary>How far an async projection trails the event store: events not yet applied, and the age of the oldest.</summary>
public sealed record ProjectionLag(string Projection, long EventsBehind, TimeSpan TimeBehind);

/// <summary>
/// Durable messages waiting: received and not yet handled (incoming), scheduled for a time that
/// has passed and not yet run (overdue), not yet sent (outgoing). Scheduled messages still to come
/// are not counted: there are two per open episode, and counting them costs more the more are open.
/// </summary>
public sealed record OutboxDepth(long Incoming, long Overdue, long Outgoing);

/// <summary>The backlog of one database (the shared one, or a clinic's own).</summary>
public sealed record BacklogReading(string Database, IReadOnlyList<ProjectionLag> Projections, OutboxDepth? Outbox);

/// <summary>
/// Reads the work the service still owes from the database, not from this node's memory: the
/// async projections may run on another node, and a dead daemon must show as lag
/// rather than as a quiet "0 behind".
/// </summary>
public sealed class Backlog(IDocumentStore store)
{
    private readonly string schema = store.Options.Events.DatabaseSchemaName;

    /// <summary>
    /// Each database's projection lag and, with <paramref name="outbox"/>, its message counts: those read
    /// the inbox's indexes, one entry per waiting message, so readiness probes (every few seconds, from
    /// every load balancer) skip them.
    /// </summary>
    public async Task<IReadOnlyList<BacklogReading>> Read(bool outbox, CancellationToken cancellation)
    {
        var readings = new List<BacklogReading>();
        foreach (var database in (await store.Storage.AllDatabases()).Cast<PostgresqlDatabase>())
        {
            readings.Add(await Read(database.Identifier, database.DataSource, outbox, cancellation));
        }
        return readings;
    }

    private async Task<BacklogReading> Read(string database, NpgsqlDataSource dataSource, bool outbox, CancellationToken cancellation)
    {
        var shards = store.Advanced.AllAsyncProjectionShardNames().Select(s => s.Identity).ToArray();
        await using var batch = dataSource.CreateBatch();
        // Measured against the newest event itself, not the daemon's high-water mark, which stops with the daemon.
        batch.BatchCommands.Add(new NpgsqlBatchCommand($"""
            select s.name,
                   greatest(coalesce((select max(seq_id) from {schema}.mt_events), 0) - coalesce(p.last_seq_id, 0), 0),
                   coalesce(extract(epoch from now() - (select e.timestamp from {schema}.mt_events e
                                                        where e.seq_id > coalesce(p.last_seq_id, 0) order by e.seq_id limit 1)), 0)::float8
            from unnest($1::text[]) as s(name)
            left join {schema}.mt_event_progression p on p.name = s.name
            """) { Parameters = { new() { Value = shards } } });
        if (outbox)
        {
            // Each count is shaped to match one of Wolverine's partial indexes (unowned incoming,
            // owned, scheduled by time), so an idle service reads none of the scheduled rows and the
            // cost follows the traffic, not the number of open episodes. The outbox of local queues
            // stays empty.
            batch.BatchCommands.Add(new NpgsqlBatchCommand($"""
                select (select count(*) from {schema}.wolverine_incoming_envelopes where status = 'Incoming' and owner_id = 0)
                     + (select count(*) from {schema}.wolverine_incoming_envelopes where owner_id <> 0 and status = 'Incoming'),
                       (select count(*) from {schema}.wolverine_incoming_envelopes where status = 'Scheduled' and execution_time <= now()),
                       (select count(*) from {schema}.wolverine_outgoing_envelopes)
                """));
        }

        await using var reader = await batch.ExecuteReaderAsync(cancellation);
        var projections = new List<ProjectionLag>();
        while (await reader.ReadAsync(cancellation))
        {
            projections.Add(new ProjectionLag(reader.GetString(0), reader.GetInt64(1), TimeSpan.FromSeconds(reader.GetDouble(2))));
        }
        if (!outbox) return new BacklogReading(database, projections, null);
        await reader.NextResultAsync(cancellation);
        await reader.ReadAsync(cancellation);
        return new BacklogReading(database, projections, new OutboxDepth(reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2)));
    }
}

public sealed class OperationsSettings
{
    public const string Section = "Operations";

    /// <summary>Beyond this, the readiness body says an async projection lags (as information: readiness stays green).</summary>
    public TimeSpan MaxProjectionLag { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>How often the backlog gauges are refreshed.</summary>
    public TimeSpan BacklogSampleInterval { get; init; } = TimeSpan.FromSeconds(10);
}

/// <summary>
/// How far trends and the dashboard trail the check-ins, reported with readiness but never
/// failing it: the projection runs on one node for the whole cluster, so a stalled daemon or a
/// rebuild would otherwise take every node out of the load balancer at once and stop the
/// check-ins, which do not depend on it. Operators alert on the
/// <see cref="Telemetry.SecondsBehindInstrument"/> metric instead.
/// </summary>
public sealed class ProjectionLagReport(Backlog backlog, OperationsSettings settings) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(DatabaseReadiness.Timeout);
        try
        {
            var readings = await backlog.Read(outbox: false, timeout.Token);
            // Each database (the shared one and any clinic's own) runs its own copy of each projection.
            var projections = readings.SelectMany(r => r.Projections.Select(p => readings.Count == 1 ? p : p with { Projection = $"{r.Database}/{p.Projection}" })).ToList();
            var late = projections.Where(p => p.TimeBehind > settings.MaxProjectionLag).ToList();
            var data = projections.ToDictionary(p => p.Projection, p => (object)new { eventsBehind = p.EventsBehind, secondsBehind = Math.Round(p.TimeBehind.TotalSeconds) });
            return HealthCheckResult.Healthy(
                late.Count == 0
                    ? "The projections are within the lag bound."
                    : string.Join(" ", late.Select(p =>
                        $"The projection {p.Projection} is {p.EventsBehind} events and {p.TimeBehind.TotalSeconds:0} s behind (bound {settings.MaxProjectionLag.TotalSeconds:0} s); trends and the dashboard are stale, check-ins are unaffected.")),
                data);
        }
        catch (Exception e) when (e is NpgsqlException or OperationCanceledException)
        {
            // The database check reports the database itself; this one only says it could not tell.
            return HealthCheckResult.Healthy("The projections' lag could not be read.");
        }
    }
}
