using System.Threading.Channels;
using JasperFx.Events;
using JasperFx.Events.Aggregation;
using JasperFx.Events.Daemon;
using CalfPainTracker.Dashboard;
using CalfPainTracker.Episodes;
using CalfPainTracker.Trends;
using Marten;
using Marten.Events;
using Marten.Events.Aggregation;
using Marten.Events.Archiving;
using SessionOptions = Marten.Services.SessionOptions;
using Marten.Storage;
using Npgsql;

namespace CalfPainTracker.Operations;

/// <summary>
/// The rebuild of every read model: reads each event once, an episode's events together, folds
/// them into its three documents and writes each document once.
/// </summary>
/// <remarks>
/// Marten's rebuild runs each read model alone over every event in the order they were stored:
/// a live store interleaves thousands of episodes, one check-in a day each, so it either rewrites
/// a document once per event or holds every open episode's documents in memory, and it reads and
/// deserialises every event once per read model (the larger part of its time, docs/benchmarks.md).
/// Read in episode order instead (the event store's own (tenant, stream, version) index), an
/// episode's documents are complete when its last event is read: memory holds a few batches of
/// episodes, however large the store. Each document is folded by its projection's own methods from
/// the events it folds and stored as Marten's daemon stores it, so it is the document Marten's own
/// rebuild would write.
/// The service must be stopped meanwhile (docs/operations.md): a check-in it stored during the
/// rebuild could be overwritten by the rebuild's copy of its episode.
/// </remarks>
internal sealed class RebuildEpisodeByEpisode
{
    /// <summary>
    /// Episodes folded and written in one transaction, and at most this many events among them
    /// (fewer episodes when they are long): a few MB of documents, and at most four batches in
    /// memory (one being read, two waiting, one being written).
    /// </summary>
    private const int EpisodesPerBatch = 500, EventsPerBatch = 25_000;

    private readonly IDocumentStore store;
    private readonly IReadOnlyList<IReadModel> models;
    private readonly Type[] foldedByAny;

    public RebuildEpisodeByEpisode(IDocumentStore store)
    {
        this.store = store;
        var projections = ((StoreOptions)store.Options).Projections.All;
        models = [Of<Episode>(), Of<PatientTriage>(), Of<EpisodeTrend>()];
        foldedByAny = [.. models.SelectMany(m => m.Folded).Distinct()];
        // A projection registered later must be added here, or a rebuild would leave its documents behind.
        var unknown = projections.Where(p => !models.Any(m => m.Shard == $"{p.Name}:All")).Select(p => p.Name).ToList();
        if (unknown.Count > 0) throw new InvalidOperationException($"The rebuild of every read model does not know the projections {string.Join(", ", unknown)}.");

        IReadModel Of<TDocument>() where TDocument : class =>
            new ReadModel<TDocument>(projections.OfType<SingleStreamProjection<TDocument, Guid>>().Single());
    }

    /// <summary>
    /// Rebuilds one database's read models from its events up to <paramref name="lastEvent"/> and
    /// records each read model's progress there. Stopped part-way, the documents are incomplete and
    /// the progress rows absent, so the rebuild command's check of progress names them.
    /// </summary>
    public async Task Run(IMartenDatabase database, long lastEvent, CancellationToken cancellation)
    {
        await database.EnsureStorageExistsAsync(typeof(IEvent), cancellation);
        await Record(database, progress: 0, cancellation);
        foreach (var model in models) await database.DeleteDocumentsByTypeAsync(model.DocumentType, cancellation);

        // Read and write overlap: PostgreSQL reads the next episodes while the last ones are written.
        var batches = Channel.CreateBounded<List<EpisodeEvents>>(new BoundedChannelOptions(2) { SingleReader = true, SingleWriter = true });
        await Task.WhenAll(WriteAll(database, batches, cancellation), ReadAll(database, lastEvent, batches, cancellation));
        await Record(database, lastEvent, cancellation);
    }

    /// <summary>
    /// Each read model's progress row, as Marten's daemon keeps it (the trend's daemon carries on
    /// from it); none at 0. Marten's own way to set one only knows projections its daemon runs.
    /// </summary>
    private async Task Record(IMartenDatabase database, long progress, CancellationToken cancellation)
    {
        var table = $"{store.Options.Events.DatabaseSchemaName}.mt_event_progression";
        await using var session = store.LightweightSession(SessionOptions.ForDatabase(database));
        foreach (var model in models)
        {
            if (progress == 0) session.QueueSqlCommand($"delete from {table} where name = ?", model.Shard);
            else session.QueueSqlCommand($"insert into {table} (name, last_seq_id) values (?, ?) on conflict (name) do update set last_seq_id = excluded.last_seq_id, last_updated = transaction_timestamp()", model.Shard, progress);
        }
        await session.SaveChangesAsync(cancellation);
    }

    /// <summary>
    /// Episodes a batch at a time in the order of the streams' key, then their events through the
    /// events' (tenant, stream, version) index and put in order here: no sort in PostgreSQL (of the
    /// whole store it would spill to disk at the store's size) and no transaction held open for the
    /// whole rebuild. Only the event types some read model folds are read, as the daemon reads only
    /// its projection's; archived streams' events too, as their documents were written before.
    /// </summary>
    private async Task ReadAll(IMartenDatabase database, long lastEvent, Channel<List<EpisodeEvents>> batches, CancellationToken cancellation)
    {
        try
        {
            await using var reading = store.QuerySession(SessionOptions.ForDatabase(database));
            await using var connection = database.CreateConnection();
            await connection.OpenAsync(cancellation);
            await using var page = new NpgsqlCommand(
                $"select tenant_id, id, version from {store.Options.Events.DatabaseSchemaName}.mt_streams where (tenant_id, id) > ($1, $2) order by tenant_id, id limit {EpisodesPerBatch}",
                connection);
            var (tenantAfter, idAfter) = (page.Parameters.AddWithValue(""), page.Parameters.AddWithValue(Guid.Empty));
            while (true)
            {
                var episodes = new List<(string Tenant, Guid Id)>(EpisodesPerBatch);
                long events = 0;
                await using (var reader = await page.ExecuteReaderAsync(cancellation))
                {
                    // A stream's version is its number of events.
                    while ((episodes.Count == 0 || events < EventsPerBatch) && await reader.ReadAsync(cancellation))
                    {
                        episodes.Add((reader.GetString(0), reader.GetGuid(1)));
                        events += reader.GetInt64(2);
                    }
                }
                if (episodes.Count == 0) break;
                (tenantAfter.Value, idAfter.Value) = episodes[^1];
                var batch = new List<EpisodeEvents>(episodes.Count);
                foreach (var tenant in episodes.GroupBy(e => e.Tenant))
                {
                    var ids = tenant.Select(e => e.Id).ToArray();
                    var read = await reading.Events.QueryAllRawEvents()
                        .Where(e => e.AnyTenant() && e.MaybeArchived() && e.TenantId == tenant.Key && e.StreamId.IsOneOf(ids)
                            && e.Sequence <= lastEvent && e.EventTypesAre(foldedByAny))
                        .ToListAsync(cancellation);
                    foreach (var episode in read.GroupBy(e => e.StreamId))
                    {
                        batch.Add(new EpisodeEvents(tenant.Key, episode.Key, [.. episode.OrderBy(e => e.Version)]));
                    }
                }
                await batches.Writer.WriteAsync(batch, cancellation);
            }
        }
        finally
        {
            batches.Writer.TryComplete();
        }
    }

    private async Task WriteAll(IMartenDatabase database, Channel<List<EpisodeEvents>> batches, CancellationToken cancellation)
    {
        try
        {
            await foreach (var batch in batches.Reader.ReadAllAsync(cancellation)) await Write(database, batch, cancellation);
        }
        catch (Exception e)
        {
            batches.Writer.TryComplete(e); // the reader stops instead of waiting for room
            throw;
        }
    }

    private async Task Write(IMartenDatabase database, List<EpisodeEvents> batch, CancellationToken cancellation)
    {
        await using var session = store.LightweightSession(SessionOptions.ForDatabase(database));
        foreach (var model in models)
        {
            await model.Fold(session, batch, cancellation);
        }
        await session.SaveChangesAsync(cancellation);
    }

    private sealed record EpisodeEvents(string TenantId, Guid Id, IReadOnlyList<IEvent> Events);

    /// <summary>One read model: the document its projection folds and its progress row.</summary>
    private interface IReadModel
    {
        Type DocumentType { get; }
        string Shard { get; }
        IEnumerable<Type> Folded { get; }

        /// <summary>Folds each episode's events into its document and queues the document's write.</summary>
        Task Fold(IDocumentSession session, IEnumerable<EpisodeEvents> batch, CancellationToken cancellation);
    }

    private sealed class ReadModel<TDocument>(SingleStreamProjection<TDocument, Guid> projection) : IReadModel where TDocument : class
    {
        private readonly HashSet<Type> folded = projection.AllEventTypes.ToHashSet();
        private readonly IAggregator<TDocument, Guid, IQuerySession> aggregator = projection;

        public Type DocumentType => typeof(TDocument);
        public IEnumerable<Type> Folded => folded;
        public string Shard { get; } = $"{projection.Name}:All";

        /// <summary>
        /// As the daemon does: only the events the projection folds (the document's version is that of
        /// the last of them), stored as of that event.
        /// </summary>
        public async Task Fold(IDocumentSession session, IEnumerable<EpisodeEvents> batch, CancellationToken cancellation)
        {
            foreach (var episode in batch)
            {
                var events = episode.Events.Where(e => folded.Contains(e.EventType)).ToList();
                if (events.Count == 0) continue;
                var storage = await session.FetchProjectionStorageAsync<TDocument, Guid>(episode.TenantId, cancellation);
                var document = await aggregator.BuildAsync(events, session, null, episode.Id, storage, cancellation);
                if (document is not null) storage.StoreProjection(document, events[^1], AggregationScope.SingleStream);
            }
        }
    }
}
