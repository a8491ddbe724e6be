using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using CalfPainTracker.Alerts;
using CalfPainTracker.Episodes;
using CalfPainTracker.Http;
using CalfPainTracker.Security;

namespace CalfPainTracker.Simulator;

/// <summary>How hard to drive the service: a target of check-ins per second across all patients (0: as fast as it answers), and how many patients at once.</summary>
public sealed record Speed(double CheckInsPerSecond, int Concurrency);

/// <summary>An alert as the patient first saw it in a check-in's answer.</summary>
public sealed record RaisedAlert(AlertRule Rule, Severity Severity, DateOnly Day);

/// <summary>What happened to one patient: their episode (null if it could not be opened) and the alerts their check-ins raised, in the order they appeared.</summary>
public sealed record EpisodeOutcome(SimulatedPatient Patient, Guid? EpisodeId, IReadOnlyList<RaisedAlert> Alerts);

public sealed record SimulationReport(
    int Planned,
    int Sent,
    int Errors,
    int Throttled,
    IReadOnlyList<string> ErrorSamples,
    IReadOnlyList<EpisodeOutcome> Episodes,
    TimeSpan Elapsed,
    bool Cancelled)
{
    /// <summary>Distinct alerts by rule: an alert shown again by a later check-in is counted once.</summary>
    public IReadOnlyDictionary<AlertRule, int> AlertsByRule =>
        Episodes.SelectMany(e => e.Alerts).GroupBy(a => a.Rule).OrderBy(g => g.Key).ToDictionary(g => g.Key, g => g.Count());
}

/// <summary>Counters a progress line reads while the run goes on.</summary>
public sealed class SimulationProgress
{
    private int _done;
    private int _errors;

    public int Planned { get; internal set; }

    /// <summary>Check-ins answered, failed or given up on.</summary>
    public int Done => Volatile.Read(ref _done);

    public int Errors => Volatile.Read(ref _errors);

    internal void CheckInsDone(int count) => Interlocked.Add(ref _done, count);

    internal void Failed() => Interlocked.Increment(ref _errors);
}

/// <summary>
/// Drives the real HTTP API as the cohort's people: each patient's physiotherapist opens their
/// episode and sets a plan, then the patient logs their check-ins in the order the diary says,
/// with their own token. Patients run side by side; one patient's check-ins never do, so the
/// alerts are the same however many run at once.
/// </summary>
/// <param name="newClient">A client for the service with its base address set (a real one, or a test host's).</param>
/// <param name="jwt">Signs the simulated people's tokens: it must be the service's key.</param>
public sealed class ClinicSimulation(Func<HttpClient> newClient, JwtSettings jwt)
{
    /// <summary>Long enough for any run; a token expiring mid-run would turn into errors.</summary>
    private static readonly TimeSpan TokenLifetime = TimeSpan.FromHours(12);

    /// <summary>The service answers 429 past its per-user write limit; the simulator waits and tries again this many times.</summary>
    private const int AttemptsWhenThrottled = 3;

    private const int ErrorSamplesKept = 10;

    private static readonly JsonSerializerOptions Json = JsonSerializerOptions.Web;

    private readonly List<string> _errorSamples = [];
    private int _sent;
    private int _throttled;

    public SimulationProgress Progress { get; } = new();

    public async Task<SimulationReport> Run(Cohort cohort, Speed speed, CancellationToken cancellation)
    {
        var patients = cohort.Patients.ToList();
        Progress.Planned = patients.Sum(p => p.CheckIns.Count);
        var outcomes = new EpisodeOutcome?[patients.Count];
        var pace = new Pace(speed.CheckInsPerSecond);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var cancelled = false;
        try
        {
            await Parallel.ForEachAsync(
                Enumerable.Range(0, patients.Count),
                new ParallelOptions { MaxDegreeOfParallelism = speed.Concurrency, CancellationToken = cancellation },
                async (index, stop) => outcomes[index] = await Follow(patients[index], pace, stop));
        }
        catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
        {
            cancelled = true;
        }

        return new SimulationReport(
            Progress.Planned,
            _sent,
            Progress.Errors,
            _throttled,
            [.. _errorSamples],
            [.. outcomes.Select((o, i) => o ?? new EpisodeOutcome(patients[i], null, []))],
            clock.Elapsed,
            cancelled);
    }

    private async Task<EpisodeOutcome> Follow(SimulatedPatient patient, Pace pace, CancellationToken cancellation)
    {
        using var physio = Client(patient.Physio);
        using var me = Client(patient.Patient);
        var alerts = new Dictionary<Guid, RaisedAlert>();

        var opened = await Send<EpisodeCreatedAnswer>(physio, HttpMethod.Post, "/api/episodes", patient.Episode, cancellation);
        if (opened is null || await Send<TreatmentPlan>(physio, HttpMethod.Put, $"/api/episodes/{opened.Id}/plan", patient.Plan, cancellation) is null)
        {
            Progress.CheckInsDone(patient.CheckIns.Count);
            return new EpisodeOutcome(patient, opened?.Id, []);
        }

        foreach (var checkIn in patient.CheckIns)
        {
            await pace.Wait(cancellation);
            var answer = await Send<CheckInAnswer>(me, HttpMethod.Post, $"/api/episodes/{opened.Id}/check-ins", checkIn.Request, cancellation);
            Progress.CheckInsDone(1);
            if (answer is null) continue;
            Interlocked.Increment(ref _sent);
            foreach (var shown in answer.Alerts ?? [])
            {
                if (alerts.ContainsKey(shown.Id) || !WireNames.TryParse<AlertRule>(shown.Rule, out var rule) || !WireNames.TryParse<Severity>(shown.Severity, out var severity)) continue;
                alerts[shown.Id] = new RaisedAlert(rule, severity, checkIn.Day);
            }
        }
        return new EpisodeOutcome(patient, opened.Id, [.. alerts.Values]);
    }

    private HttpClient Client(Caller caller)
    {
        var client = newClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", DevelopmentToken.Mint(jwt, caller, TokenLifetime, DateTimeOffset.UtcNow));
        return client;
    }

    /// <summary>Sends one write; the answer's body, or null when it failed (counted, and a few kept to show).</summary>
    private async Task<T?> Send<T>(HttpClient client, HttpMethod method, string path, object body, CancellationToken cancellation)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                using var request = new HttpRequestMessage(method, new Uri(path, UriKind.Relative)) { Content = JsonContent.Create(body, body.GetType(), options: Json) };
                using var response = await client.SendAsync(request, cancellation);
                if (response.StatusCode == HttpStatusCode.TooManyRequests && attempt < AttemptsWhenThrottled)
                {
                    Interlocked.Increment(ref _throttled);
                    await Task.Delay(response.Headers.RetryAfter?.Delta ?? TimeSpan.FromSeconds(1), cancellation);
                    continue;
                }
                if (response.IsSuccessStatusCode) return await response.Content.ReadFromJsonAsync<T>(Json, cancellation);
                Fail($"{(int)response.StatusCode} {method} {path}: {await response.Content.ReadAsStringAsync(cancellation)}");
                return default;
            }
            catch (Exception e) when (e is HttpRequestException or JsonException || e is TaskCanceledException && !cancellation.IsCancellationRequested)
            {
                Fail($"{method} {path}: {e.Message}");
                return default;
            }
        }
    }

    private void Fail(string what)
    {
        Progress.Failed();
        lock (_errorSamples)
        {
            if (_errorSamples.Count < ErrorSamplesKept) _errorSamples.Add(what.Length > 300 ? what[..300] + "…" : what);
        }
    }

    private sealed record EpisodeCreatedAnswer(Guid Id);

    private sealed record CheckInAnswer(IReadOnlyList<AlertShown>? Alerts);

    private sealed record AlertShown(Guid Id, string Rule, string Severity);

    /// <summary>Spaces check-ins evenly over time across all patients; a rate of 0 does not wait.</summary>
    private sealed class Pace(double perSecond)
    {
        private readonly System.Diagnostics.Stopwatch _since = System.Diagnostics.Stopwatch.StartNew();
        private long _issued;

        public Task Wait(CancellationToken cancellation)
        {
            if (perSecond <= 0) return Task.CompletedTask;
            var due = TimeSpan.FromSeconds((Interlocked.Increment(ref _issued) - 1) / perSecond);
            var early = due - _since.Elapsed;
            return early > TimeSpan.Zero ? Task.Delay(early, cancellation) : Task.CompletedTask;
        }
    }
}
