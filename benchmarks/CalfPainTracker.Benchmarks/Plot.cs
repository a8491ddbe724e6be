using System.Globalization;
using System.Text.Json.Nodes;
using ScottPlot;

namespace CalfPainTracker.Benchmarks;

/// <summary>
/// Draws the PNGs of a scripts/bench results file: throughput against connections (pgbench,
/// the CRUD peer, the Marten peers, the service) and the latency percentiles per connection
/// count, each bar the median over rounds with a whisker from the fastest to the slowest round.
/// </summary>
public static class Plot
{
    // What takes the check-in load, in the results file's key, with its colour in both plots
    // and the darker shade of that colour for its p99.
    private static readonly (string Name, string Key, Color Colour, Color Darker)[] Services =
    [
        ("CRUD peer", "crud", Color.FromHex("#f58518"), Color.FromHex("#a63603")),
        ("Marten bare append", "bare", Color.FromHex("#b279a2"), Color.FromHex("#6b3d5f")),
        ("Marten, service shape", "shaped", Color.FromHex("#e45756"), Color.FromHex("#9b1c1c")),
        ("CalfPainTracker check-in", "ingest", Color.FromHex("#54a24b"), Color.FromHex("#1b6e2a")),
        ("CalfPainTracker, group commit on", "batched", Color.FromHex("#9d9d9d"), Color.FromHex("#4d4d4d")),
    ];

    public static int Run(string resultsPath, string directory, string prefix)
    {
        var results = JsonNode.Parse(File.ReadAllText(resultsPath))!;
        Directory.CreateDirectory(directory);
        var subtitle = Subtitle(results);

        JsonArray? Levels(string key) => results[key]?["levels"] as JsonArray;
        var throughput = Services.Select(s => ($"{s.Name} (req/s)", Levels(s.Key), "rps", s.Colour))
            .Prepend(("pgbench single-row INSERT (tx/s)", Levels("pgbench"), "tps", Color.FromHex("#4c78a8")))
            .ToList();
        Grouped(Path.Combine(directory, prefix + "throughput.png"), "Throughput against connections" + subtitle, "per second (median, whisker min–max)", throughput);

        // p50 and p99 only: with four services a third percentile makes the groups unreadable (p95 is in the results file).
        var latency = Services.SelectMany(s => new[] { ($"{s.Name} p50", Levels(s.Key), "p50", s.Colour), ($"{s.Name} p99", Levels(s.Key), "p99", s.Darker) })
            .ToList();
        Grouped(Path.Combine(directory, prefix + "latency.png"), "Check-in latency against connections" + subtitle, "milliseconds (median, whisker min–max)", latency);
        Console.Error.WriteLine($"plot: {Path.Combine(directory, prefix + "throughput.png")}, {Path.Combine(directory, prefix + "latency.png")}");
        return 0;
    }

    private static string Subtitle(JsonNode results)
    {
        var meta = results["meta"];
        var rounds = meta?["rounds"]?.GetValue<int>() ?? 0;
        var commit = meta?["commit"]?.GetValue<string>() ?? "?";
        return string.Create(CultureInfo.InvariantCulture, $"\n{rounds} round(s), commit {commit[..Math.Min(7, commit.Length)]}, {meta?["machine"]?["nproc"]} cores shared by load generator, service and PostgreSQL");
    }

    private static void Grouped(string path, string title, string yLabel, List<(string Name, JsonArray? Levels, string Field, Color Colour)> series)
    {
        var connections = series.Where(s => s.Levels is not null)
            .SelectMany(s => s.Levels!.Select(l => l!["connections"]!.GetValue<int>()))
            .Distinct().Order().ToList();
        var plot = new ScottPlot.Plot();
        var groupWidth = 0.8;
        var barWidth = groupWidth / series.Count;
        var legend = new List<LegendItem>();
        for (var s = 0; s < series.Count; s++)
        {
            var (name, levels, field, color) = series[s];
            legend.Add(new LegendItem { LabelText = name, FillColor = color });
            if (levels is null) continue;
            var bars = new List<Bar>();
            var lows = new List<double>();
            var highs = new List<double>();
            foreach (var level in levels)
            {
                var index = connections.IndexOf(level!["connections"]!.GetValue<int>());
                if (level[field] is not JsonObject stat || stat["median"] is null) continue;
                var median = stat["median"]!.GetValue<double>();
                var min = stat["min"]!.GetValue<double>();
                var max = stat["max"]!.GetValue<double>();
                lows.Add(median - min);
                highs.Add(max - median);
                bars.Add(new Bar
                {
                    Position = index - groupWidth / 2 + barWidth * (s + 0.5),
                    Value = median,
                    Size = barWidth * 0.9,
                    FillColor = color,
                    Label = median >= 100 ? median.ToString("N0", CultureInfo.InvariantCulture) : median.ToString("0.#", CultureInfo.InvariantCulture),
                });
            }
            var plottable = plot.Add.Bars(bars);
            plottable.ValueLabelStyle.FontSize = 10;
            var whiskers = plot.Add.ErrorBar(bars.Select(b => b.Position).ToArray(), bars.Select(b => b.Value).ToArray(), lows.ToArray());
            whiskers.YErrorNegative = lows;
            whiskers.YErrorPositive = highs;
            whiskers.Color = Colors.Black;
        }
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(
            connections.Select((c, i) => new Tick(i, c.ToString(CultureInfo.InvariantCulture) + (c == 1 ? " connection" : " connections"))).ToArray());
        plot.Axes.Margins(bottom: 0);
        plot.Title(title, size: 13);
        plot.YLabel(yLabel);
        plot.ShowLegend(legend, Alignment.UpperLeft);
        plot.SavePng(path, 1000, 560);
    }
}
