using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Threading.Channels;
using CalfPainTracker.Dashboard;
using CalfPainTracker.Episodes;
using Wolverine.Marten.Publishing;
using Wolverine.Runtime;

namespace CalfPainTracker.CheckIns;

/// <summary>A check-in as the writer takes it: whose, for which episode, and the request to decide on.</summary>
public sealed record CheckInSubmission(string Clinic, Guid EpisodeId, Security.Caller Caller, LogCheckInRequest Request, string CorrelationId);

/// <summary>
/// Group commit: every check-in is written here, and the check-ins that arrive while a
/// transaction is committing are written together in the next one. One round trip locks and
/// loads all their episodes, each is decided on its own (<see cref="LogCheckInEndpoint.Decide"/>),
/// and one commit stores their events, documents and outgoing messages (Wolverine's outbox).
/// Each request is answered only once its transaction has committed, so nothing acknowledged
/// is lost; a lone check-in is written at once, without waiting for company.
/// </summary>
/// <remarks>
/// Batching pays where a commit is dear (its flush of the write-ahead log to slow storage, a
/// distant database): a commit costs about as much for thirty check-ins as for one. On the
/// benchmark machine it did not pay (docs/benchmarks.md, "Group commit"): a commit there is cheap
/// and a batch's statements run one after another in one PostgreSQL backend, so the default is
/// one check-in per transaction with many in flight; <see cref="CheckInWriterSettings"/> turns
/// batching on. Check-ins are spread over the writers by episode, so one episode's check-ins are
/// always written in the order they arrived.
/// </remarks>
public sealed partial class CheckInWriter : BackgroundService
{
    /// <summary>A batch's span: a child of its first request's trace, linked to the others'.</summary>
    public static readonly ActivitySource Traces = new("CalfPainTracker.CheckIns");

    private readonly Channel<Pending>[] queues;
    private readonly CheckInWriterSettings settings;
    private readonly OutboxedSessionFactory sessions;
    private readonly IWolverineRuntime runtime;
    private readonly LogCheckInEndpoint.Dependencies decide;
    private readonly ILogger<CheckInWriter> logger;

    public CheckInWriter(
        CheckInWriterSettings settings,
        OutboxedSessionFactory sessions,
        IWolverineRuntime runtime,
        LogCheckInEndpoint.Dependencies decide,
        IMeterFactory meters,
        ILogger<CheckInWriter> logger)
    {
        if (settings.BatchSize < 1 || settings.Writers < 1 || settings.QueueLength < 1)
            throw new InvalidOperationException($"{CheckInWriterSettings.Section}:BatchSize, Writers and QueueLength must each be at least 1.");
        this.settings = settings;
        this.sessions = sessions;
        this.runtime = runtime;
        this.decide = decide;
        this.logger = logger;
        queues = Enumerable.Range(0, settings.Writers)
            .Select(_ => Channel.CreateBounded<Pending>(new BoundedChannelOptions(settings.QueueLength) { SingleReader = true }))
            .ToArray();
        // How many check-ins wait for a transaction: above a batch or two, the database is the limit.
        meters.Create(Operations.Telemetry.MeterName).CreateObservableGauge(Operations.Telemetry.CheckInsWaitingInstrument, () => Waiting,
            unit: "{check-in}", description: "Check-ins received and waiting for their transaction.");
    }

    /// <summary>Check-ins received and not yet in a transaction.</summary>
    public int Waiting => queues.Sum(queue => queue.Reader.Count);

    /// <summary>Writes the check-in with whatever else is waiting and answers once it has committed.</summary>
    /// <exception cref="StoppingException">The service is shutting down and takes no more check-ins.</exception>
    public async Task<CheckInAnswer> Write(CheckInSubmission submission)
    {
        var pending = new Pending(submission);
        var queue = queues[(int)((uint)submission.EpisodeId.GetHashCode() % (uint)queues.Length)];
        // A full queue makes the request wait for room rather than fail: the patient's phone
        // gets a slower answer under a burst, never a refused check-in.
        try
        {
            await queue.Writer.WriteAsync(pending);
        }
        catch (ChannelClosedException)
        {
            throw new StoppingException();
        }
        return await pending.Answer.Task;
    }

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(queues.Select(queue => Task.Run(() => Drain(queue.Reader), CancellationToken.None)));

    /// <summary>Takes no new check-ins, and finishes the ones already queued before the host stops.</summary>
    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        foreach (var queue in queues) queue.Writer.TryComplete();
        await base.StopAsync(cancellationToken);
    }

    private async Task Drain(ChannelReader<Pending> queue)
    {
        // A check-in for an episode already in the batch waits for the next one, so it is
        // decided on the state the first left behind.
        var waiting = new List<Pending>();
        while (waiting.Count > 0 || await queue.WaitToReadAsync(CancellationToken.None))
        {
            var batch = new List<Pending>(settings.BatchSize);
            var episodes = new HashSet<(string, Guid)>();
            var stillWaiting = new List<Pending>();
            foreach (var pending in waiting)
            {
                if (batch.Count < settings.BatchSize && episodes.Add(pending.Key)) batch.Add(pending);
                else stillWaiting.Add(pending);
            }
            while (batch.Count < settings.BatchSize && queue.TryRead(out var next))
            {
                if (episodes.Add(next.Key)) batch.Add(next);
                else stillWaiting.Add(next);
            }
            waiting = stillWaiting;

            foreach (var clinic in batch.GroupBy(p => p.Submission.Clinic))
            {
                await Commit([.. clinic]);
            }
        }
    }

    /// <summary>One transaction for the batch; if it fails, each check-in again in a transaction of its own, so one cannot fail another.</summary>
    private async Task Commit(IReadOnlyList<Pending> batch)
    {
        try
        {
            var answers = await CommitTogether(batch);
            for (var i = 0; i < batch.Count; i++) batch[i].Answer.TrySetResult(answers[i]);
            return;
        }
        catch (Exception failure) when (batch.Count > 1)
        {
            LogBatchFailed(logger, batch.Count, failure.GetType().Name);
        }
        catch (Exception failure)
        {
            batch[0].Answer.TrySetException(failure);
            return;
        }

        foreach (var pending in batch)
        {
            try
            {
                pending.Answer.TrySetResult((await CommitTogether([pending]))[0]);
            }
            catch (Exception failure)
            {
                pending.Answer.TrySetException(failure);
            }
        }
    }

    private async Task<CheckInAnswer[]> CommitTogether(IReadOnlyList<Pending> batch)
    {
        using var span = Traces.StartActivity("check-ins committed together", ActivityKind.Internal, batch[0].Trace,
            links: batch.Skip(1).Select(p => new ActivityLink(p.Trace)));
        span?.SetTag("calfpain.check_ins", batch.Count);
        var clinic = batch[0].Submission.Clinic;
        var context = new MessageContext(runtime) { TenantId = clinic };
        await using var session = sessions.OpenSession(context, clinic);
        // Each check-in's events carry its own request's correlation id and patient.
        session.CorrelationId = null;

        // Locked in the order of their ids, so two nodes' batches never wait on each other in a circle.
        // The episodes' triage rows are read in the same round trip: the commit's inline projection
        // finds them in the session instead of reading them in a round trip of its own.
        var order = Enumerable.Range(0, batch.Count).OrderBy(i => batch[i].Submission.EpisodeId).ToArray();
        session.UseIdentityMapFor<PatientTriage>();
        var load = session.CreateBatchQuery();
        var streams = new Task<JasperFx.Events.IEventStream<Episode>>[batch.Count];
        foreach (var i in order)
        {
            streams[i] = load.Events.FetchForExclusiveWriting<Episode>(batch[i].Submission.EpisodeId);
            _ = load.Load<PatientTriage>(batch[i].Submission.EpisodeId);
        }
        await load.Execute(CancellationToken.None);

        var answers = new CheckInAnswer[batch.Count];
        for (var i = 0; i < batch.Count; i++)
        {
            context.CorrelationId = batch[i].Submission.CorrelationId;
            (answers[i], var messages) = await LogCheckInEndpoint.Decide(session, await streams[i], batch[i].Submission, decide);
            // Cascaded as a handler's returned messages are: into the outbox, committed with the batch.
            await context.EnqueueCascadingAsync(messages);
        }

        await session.SaveChangesAsync(CancellationToken.None);
        // Marten flushes the outbox after a commit that had changes; one that had none (only replays and refusals) is flushed here.
        await context.FlushOutgoingMessagesAsync();
        return answers;
    }

    [LoggerMessage(LogLevel.Warning, "A batch of {Count} check-ins failed ({Failure}); writing each alone")]
    private static partial void LogBatchFailed(ILogger logger, int count, string failure);

    private sealed class Pending(CheckInSubmission submission)
    {
        public CheckInSubmission Submission { get; } = submission;
        public (string, Guid) Key { get; } = (submission.Clinic, submission.EpisodeId);
        public ActivityContext Trace { get; } = Activity.Current?.Context ?? default;
        public TaskCompletionSource<CheckInAnswer> Answer { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    /// <summary>A check-in that arrived after shutdown began: nothing was stored, and the client retries elsewhere or later.</summary>
    public sealed class StoppingException() : Exception("The service is shutting down and takes no more check-ins.");
}

/// <summary>
/// How the check-in writer batches. The default, one check-in per transaction and up to 64 in
/// flight, was the fastest on the benchmark machine; where commits are slow, a larger BatchSize
/// with a few writers joins concurrent check-ins into one commit (Writers=1 gives the largest batches).
/// </summary>
public sealed record CheckInWriterSettings
{
    public const string Section = "CheckIns";

    /// <summary>Most check-ins in one transaction.</summary>
    public int BatchSize { get; init; } = 1;

    /// <summary>Transactions in flight at once, each for its own share of the episodes.</summary>
    public int Writers { get; init; } = 64;

    /// <summary>Check-ins waiting per writer before new ones wait to be queued.</summary>
    public int QueueLength { get; init; } = 1024;
}
