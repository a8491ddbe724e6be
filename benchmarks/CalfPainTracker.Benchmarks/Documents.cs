using System.Diagnostics;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using CalfPainTracker.CheckIns;
using CalfPainTracker.Dashboard;
using CalfPainTracker.Episodes;
using CalfPainTracker.Operations;
using CalfPainTracker.Trends;

namespace CalfPainTracker.Benchmarks;

/// <summary>
/// What the three documents a check-in touches (the episode, its triage row, its trend) cost to
/// write and read back at a given length of recovery, through the service's own serializer, in
/// process and without a database. Allocations are counted exactly (this thread's bytes), and
/// times are the median of five batches, so a change to how the documents are stored shows here
/// even where the length step's load cannot tell it from the machine's noise.
/// </summary>
public static class Documents
{
    private const int Batches = 5;

    public static int Run(int days, int iterations, string? jsonPath)
    {
        var serializer = StoredJson.ForService();
        var (episode, triage, trend) = Grown(days);
        var results = new JsonObject
        {
            ["days"] = days,
            ["iterations"] = iterations,
            ["episode"] = Measure(serializer, episode, iterations),
            ["triage"] = Measure(serializer, triage, iterations),
            ["trend"] = Measure(serializer, trend, iterations),
        };
        foreach (var name in new[] { "episode", "triage", "trend" })
        {
            var r = results[name]!;
            Console.Error.WriteLine($"documents {name} day {days}: {r["jsonBytes"]} bytes; write {r["writeUs"]} µs {r["writeKB"]} KB; read {r["readUs"]} µs {r["readKB"]} KB");
        }
        if (jsonPath is not null) File.WriteAllText(jsonPath, results.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        return 0;
    }

    /// <summary>One recovery of <paramref name="days"/> logged days (a day missed now and then), folded as the projections fold it.</summary>
    private static (Episode, PatientTriage, EpisodeTrend) Grown(int days)
    {
        var onset = new DateOnly(2026, 1, 5);
        var openedAt = new DateTimeOffset(onset.ToDateTime(new TimeOnly(9, 0)), TimeSpan.Zero);
        var id = Guid.CreateVersion7(openedAt);
        var opened = new EpisodeOpened(id, Guid.NewGuid(), Side.Left, SuspectedCause.CalfStrain, onset, "Europe/London", RiskFactors.None, openedAt);
        var plan = new TreatmentPlanSet(id, new TreatmentPlan(2, 20, 15, 10), openedAt.AddHours(1));

        var episode = new Episode();
        episode.Apply(opened);
        episode.Apply(plan);
        var triage = PatientTriageProjection.Create(opened);
        PatientTriageProjection.Apply(plan, triage);
        var trend = EpisodeTrendProjection.Create(opened);
        EpisodeTrendProjection.Apply(plan, trend);

        var random = new Random(10);
        var pain = 8;
        var day = onset;
        for (var d = 0; d < days; d++, day = day.AddDays(random.Next(12) == 0 ? 2 : 1))
        {
            if (d % 5 == 4 && pain > 1) pain--;
            var logged = new CheckInLogged(id, new CheckIn(
                Guid.NewGuid(), day, Math.Max(0, pain + random.Next(-1, 2)), PainAtRest: false, PainAtNight: d < 10,
                d < 14 ? Swelling.Mild : Swelling.None, SwellingAtAnkle: false, CalfCircumferenceCm: null,
                RestHours: random.Next(0, 7) / 2m, IceMinutes: random.Next(3) * 10, HeatMinutes: random.Next(2) * 15, StretchingMinutes: random.Next(4) * 5,
                NsaidTaken: d < 5, CanWalkComfortably: d >= 7, Symptoms: [], Notes: null,
                new DateTimeOffset(day.ToDateTime(new TimeOnly(20, 30)), TimeSpan.Zero)));
            episode.Apply(logged);
            PatientTriageProjection.Apply(logged, triage);
            EpisodeTrendProjection.Apply(logged, trend);
        }
        return (episode, triage, trend);
    }

    private static JsonObject Measure<T>(StoredJson serializer, T document, int iterations)
    {
        var bytes = Encoding.UTF8.GetBytes(serializer.ToJson(document));
        string Write() => serializer.ToJson(document);
        T Read() => serializer.FromJson<T>(new MemoryStream(bytes, writable: false));
        for (var i = 0; i < Math.Max(iterations / 5, 100); i++)
        {
            Write();
            Read();
        }
        var (writeUs, writeKB) = Time(Write, iterations);
        var (readUs, readKB) = Time(Read, iterations);
        return new JsonObject
        {
            ["jsonBytes"] = bytes.Length,
            ["writeUs"] = Math.Round(writeUs, 2),
            ["writeKB"] = Math.Round(writeKB, 2),
            ["readUs"] = Math.Round(readUs, 2),
            ["readKB"] = Math.Round(readKB, 2),
        };
    }

    /// <returns>Microseconds per call (the median batch) and kilobytes allocated per call.</returns>
    private static (double Us, double KB) Time<TResult>(Func<TResult> call, int iterations)
    {
        var perBatch = Math.Max(iterations / Batches, 1);
        var means = new double[Batches];
        var allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
        for (var b = 0; b < Batches; b++)
        {
            var clock = Stopwatch.StartNew();
            for (var i = 0; i < perBatch; i++) call();
            means[b] = clock.Elapsed.TotalMicroseconds / perBatch;
        }
        var allocated = GC.GetAllocatedBytesForCurrentThread() - allocatedBefore;
        Array.Sort(means);
        return (means[Batches / 2], allocated / 1024.0 / (perBatch * Batches));
    }
}
