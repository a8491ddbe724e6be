using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using Microsoft.Extensions.Configuration;
using CalfPainTracker.Http;
using CalfPainTracker.Security;
using CalfPainTracker.Simulator.Stories;

namespace CalfPainTracker.Simulator;

/// <summary>The command line: a run against a service (the default command), and `tokens` for the people of a cohort.</summary>
public static class SimulatorCli
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    private static readonly Option<Uri> Url = new("--url")
    {
        Description = "The running service to drive.",
        DefaultValueFactory = _ => new Uri("http://127.0.0.1:5080"),
        CustomParser = result =>
        {
            var text = result.Tokens[0].Value;
            if (Uri.TryCreate(text, UriKind.Absolute, out var url) && url.Scheme is "http" or "https") return url;
            result.AddError($"--url must be an http(s) address such as http://127.0.0.1:5080; it was '{text}'.");
            return null;
        },
    };

    private static readonly Option<int> Clinics = Counted("--clinics", 1, 1000, "Clinics; each is its own tenant with its own clinic administrator.");
    private static readonly Option<int> Physios = Counted("--physios", 2, 100, "Physiotherapists per clinic; each opens the episodes of the patients assigned to them (round-robin).");
    private static readonly Option<int> Patients = Counted("--patients", 30, 100_000, "Patients per clinic; each is a user of their own with one episode.");
    private static readonly Option<int> Days = Counted("--days", 42, 366, "Days each episode runs, from --start; days after today (Europe/London) are left out.");

    private static readonly Option<DateOnly?> Start = new("--start")
    {
        HelpName = "yyyy-mm-dd",
        Description = "The onset of every episode and its first check-in day, YYYY-MM-DD [default: today in Europe/London minus --days, so the last day is yesterday]. At most 366 days ago.",
    };

    private static readonly Option<int> Seed = new("--seed")
    {
        Description = "The same seed (with the same --clinics, --physios, --patients, --stories, --days and --start) gives the same people, stories and check-ins, ids included.",
        DefaultValueFactory = _ => 42,
    };

    private static readonly Option<StoryKind[]> Stories = new("--stories")
    {
        HelpName = "story,...",
        Description = "Tell only these stories, in turn (comma-separated): " + WireNames.Allowed<StoryKind>() + ". Default: every story once, then a mix in which strains are common and clots rare.",
        CustomParser = ParseStories,
        DefaultValueFactory = _ => [],
    };

    private static readonly Option<double> Rate = new("--rate")
    {
        HelpName = "check-ins-per-second",
        Description = "Target check-ins per second across all patients, for load; 0 sends as fast as the service answers. Reaching it needs enough --concurrency.",
        DefaultValueFactory = _ => 0,
    };

    private static readonly Option<int> Concurrency = Counted("--concurrency", 8, 1000, "Patients checking in at the same time (one patient's check-ins are always sent one after another, in diary order).");

    private static readonly Option<FileInfo?> EpisodesFile = new("--episodes-file")
    {
        HelpName = "path",
        Description = "Also write a tab-separated list of patient, physiotherapist, story and episode id to this file.",
    };

    private static readonly Option<string?> SigningKey = new("--signing-key")
    {
        HelpName = "key",
        Description = "The key the service checks tokens with [default: Jwt:SigningKey as the service reads it: environment variable Jwt__SigningKey, else the Development key in the service's appsettings.Development.json].",
    };

    private static readonly Option<string?> Issuer = new("--issuer") { Description = "Token issuer [default: the service's Jwt:Issuer]." };
    private static readonly Option<string?> Audience = new("--audience") { Description = "Token audience [default: the service's Jwt:Audience]." };

    private static readonly Option<int> ClinicNumber = Counted("--clinic", 1, 1000, "Which clinic of the cohort to print, counting from 1.");
    private static readonly Option<int> Hours = Counted("--hours", 12, 720, "How long the tokens last, in hours.");

    private static readonly Option<int> ClearAfter = new("--clear-after")
    {
        Description = "ClinicalRules:ClearAdviceAfterCheckIns for the 'after' column; the 'before' column never clears (0).",
        DefaultValueFactory = _ => new Alerts.RuleSettings().ClearAdviceAfterCheckIns,
    };

    public static Task<int> Main(string[] args) => Build().Parse(args).InvokeAsync();

    public static RootCommand Build()
    {
        Rate.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<double>() < 0) result.AddError("--rate must be 0 (as fast as possible) or more check-ins per second.");
        });

        var root = new RootCommand(
            "Simulated patients for CalfPainTracker: clinics whose patients recover from calf strains, tendinopathy, cramps " +
            "or a clot, logging daily check-ins through the real HTTP API with their own tokens. A fixed --seed gives the same " +
            "check-ins and the same alerts. Each patient is a user of their own, so the service's write limit per user " +
            "(Security:WritesPerMinutePerUser, default 120 a minute) is not reached by a patient; a physiotherapist makes two " +
            "writes per patient, and a 429 is waited out and retried.")
        {
            Url, Clinics, Physios, Patients, Days, Start, Seed, Stories, Rate, Concurrency, EpisodesFile, SigningKey, Issuer, Audience,
        };
        root.SetAction(Run);

        var tokens = new Command("tokens", "Prints the ids and tokens of one clinic's administrator, physiotherapists and a patient, as shell assignments (eval \"$(... tokens)\").")
        {
            Clinics, Physios, Patients, Seed, Stories, ClinicNumber, Hours, SigningKey, Issuer, Audience,
        };
        tokens.SetAction(PrintTokens);
        root.Subcommands.Add(tokens);

        var burden = new Command("alert-burden",
            "Runs one clinic's patients through the service's own rules in memory (no service needed) and prints, as Markdown, the alerts raised " +
            "by rule and severity, the alerts still open on the last day, and the day each story's first urgent or emergency alert fired: " +
            "with advice never cleared (before) and cleared after --clear-after check-ins (after).")
        {
            Physios, Patients, Days, Start, Seed, Stories, ClearAfter,
        };
        burden.SetAction(PrintAlertBurden);
        root.Subcommands.Add(burden);
        return root;
    }

    private static async Task<int> Run(ParseResult parsed, CancellationToken cancellation)
    {
        var today = StoryCalendar.Today(DateTimeOffset.UtcNow);
        var days = parsed.GetValue(Days);
        var start = parsed.GetValue(Start) ?? today.AddDays(-days);
        if (start > today)
        {
            await Console.Error.WriteLineAsync($"--start {start:yyyy-MM-dd} is in the future; today is {today:yyyy-MM-dd} in {PatientDiary.TimeZone}.");
            return 2;
        }
        if (start < today.AddDays(-Episodes.OpenEpisodeEndpoint.MaxOnsetAgeDays))
        {
            await Console.Error.WriteLineAsync($"--start may be at most {Episodes.OpenEpisodeEndpoint.MaxOnsetAgeDays} days ago: the service refuses older onsets.");
            return 2;
        }
        var lastDay = start.AddDays(days - 1);
        if (lastDay > today)
        {
            days = today.DayNumber - start.DayNumber + 1;
            await Console.Error.WriteLineAsync($"The days after today are left out: {days} days, {start:yyyy-MM-dd} to {today:yyyy-MM-dd}.");
        }

        var shape = ShapeOf(parsed);
        var cohort = Cohort.Create(shape, new StoryCalendar(start, days));
        var url = parsed.GetValue(Url)!;
        using var handler = new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) };
        var simulation = new ClinicSimulation(() => new HttpClient(handler, disposeHandler: false) { BaseAddress = url }, JwtOf(parsed));

        await Console.Error.WriteLineAsync($"Simulating {Describe(shape)}: {days} days from {start:yyyy-MM-dd} (seed {shape.Seed}) against {url}");
        using var stopProgress = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        var progress = ShowProgress(simulation.Progress, stopProgress.Token);
        var report = await simulation.Run(cohort, new Speed(parsed.GetValue(Rate), parsed.GetValue(Concurrency)), cancellation);
        await stopProgress.CancelAsync();
        await progress;

        if (parsed.GetValue(EpisodesFile) is { } file) await WriteEpisodes(file, report);
        Console.Write(Summary(cohort, start, days, report));
        return report.Errors == 0 && !report.Cancelled ? 0 : 1;
    }

    private static int PrintTokens(ParseResult parsed)
    {
        var shape = ShapeOf(parsed);
        var number = parsed.GetValue(ClinicNumber);
        if (number > shape.Clinics)
        {
            Console.Error.WriteLine($"--clinic {number}: the cohort has {shape.Clinics} clinic(s).");
            return 2;
        }
        var clinic = Cohort.Create(shape).Clinics[number - 1];
        var jwt = JwtOf(parsed);
        var lifetime = TimeSpan.FromHours(parsed.GetValue(Hours));
        string Token(Caller caller) => DevelopmentToken.Mint(jwt, caller, lifetime, DateTimeOffset.UtcNow);

        // The patient to show: the most eventful story in the clinic.
        var patient = clinic.Patients.OrderBy(p => p.Story switch
        {
            StoryKind.PostOperativeClot => 0,
            StoryKind.ClotToLungs => 1,
            _ => 2,
        }).First();

        var lines = new List<string>
        {
            $"# clinic {number}: {Describe(shape)} (seed {shape.Seed}); tokens last {lifetime.TotalHours:0} hours",
            $"CLINIC={clinic.Id}",
            $"ADMIN_ID={clinic.Admin.UserId}",
            $"ADMIN_TOKEN={Token(clinic.Admin)}",
        };
        foreach (var (physio, index) in clinic.Physios.Select((p, i) => (p, i + 1)))
        {
            lines.Add($"# physiotherapist {index}: {clinic.Patients.Count(p => p.Physio == physio)} patients");
            lines.Add($"PHYSIO_{index}_ID={physio.UserId}");
            lines.Add($"PHYSIO_{index}_TOKEN={Token(physio)}");
        }
        lines.Add($"PATIENT_ID={patient.Patient.UserId}");
        lines.Add($"PATIENT_PHYSIO={clinic.Physios.ToList().IndexOf(patient.Physio) + 1}");
        lines.Add($"PATIENT_STORY={WireNames.Of(patient.Story)}");
        lines.Add($"PATIENT_TOKEN={Token(patient.Patient)}");
        Console.WriteLine(string.Join(Environment.NewLine, lines));
        return 0;
    }

    private static int PrintAlertBurden(ParseResult parsed)
    {
        var days = parsed.GetValue(Days);
        var calendar = new StoryCalendar(parsed.GetValue(Start) ?? StoryCalendar.Today(DateTimeOffset.UtcNow).AddDays(-days), days);
        var shape = ShapeOf(parsed) with { Clinics = 1 };
        var cohort = Cohort.Create(shape, calendar);
        var before = AlertBurden.Run(cohort, calendar, new Alerts.RuleSettings { ClearAdviceAfterCheckIns = 0 });
        var after = AlertBurden.Run(cohort, calendar, new Alerts.RuleSettings { ClearAdviceAfterCheckIns = Math.Max(0, parsed.GetValue(ClearAfter)) });
        Console.Write(AlertBurden.Compare(cohort, calendar, before, after));
        return 0;
    }

    private static CohortShape ShapeOf(ParseResult parsed) => new(
        parsed.GetValue(Clinics), parsed.GetValue(Physios), parsed.GetValue(Patients), parsed.GetValue(Seed), parsed.GetValue(Stories) ?? []);

    /// <summary>The service's own configuration files (copied beside this program from the Api project) and environment, then the options.</summary>
    private static JwtSettings JwtOf(ParseResult parsed)
    {
        var configuration = new ConfigurationBuilder()
            .SetBasePath(AppContext.BaseDirectory)
            .AddJsonFile("appsettings.json", optional: true)
            .AddJsonFile("appsettings.Development.json", optional: true)
            .AddEnvironmentVariables()
            .Build();
        var jwt = configuration.GetSection(JwtSettings.Section).Get<JwtSettings>() ?? new JwtSettings();
        jwt.SigningKey = parsed.GetValue(SigningKey) ?? jwt.SigningKey;
        jwt.Issuer = parsed.GetValue(Issuer) ?? jwt.Issuer;
        jwt.Audience = parsed.GetValue(Audience) ?? jwt.Audience;
        return jwt;
    }

    private static async Task ShowProgress(SimulationProgress progress, CancellationToken stop)
    {
        // On a terminal the line is redrawn in place; in a log it is one line a second.
        var redraw = !Console.IsErrorRedirected;
        var clock = System.Diagnostics.Stopwatch.StartNew();
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1));
        try
        {
            while (await timer.WaitForNextTickAsync(stop))
            {
                var line = $"check-ins {progress.Done}/{progress.Planned}  {progress.Done / clock.Elapsed.TotalSeconds:0.0}/s  errors {progress.Errors}";
                await Console.Error.WriteAsync(redraw ? "\r" + line.PadRight(60) : line + Environment.NewLine);
            }
        }
        catch (OperationCanceledException)
        {
            if (redraw) await Console.Error.WriteLineAsync();
        }
    }

    private static async Task WriteEpisodes(FileInfo file, SimulationReport report)
    {
        var rows = report.Episodes.Select(e => string.Join('\t', e.Patient.Patient.UserId, e.Patient.Physio.UserId, WireNames.Of(e.Patient.Story), e.EpisodeId?.ToString() ?? ""));
        await File.WriteAllLinesAsync(file.FullName, ["patient\tphysio\tstory\tepisode", .. rows]);
    }

    private static string Summary(Cohort cohort, DateOnly start, int days, SimulationReport report)
    {
        var patients = cohort.Patients.ToList();
        var alerts = report.Episodes.SelectMany(e => e.Alerts).ToList();
        var seconds = Math.Max(report.Elapsed.TotalSeconds, 0.001);
        var text = new System.Text.StringBuilder();
        text.AppendLine(Invariant, $"Simulated {Describe(cohort.Shape)}: {days} days, {start:yyyy-MM-dd} to {start.AddDays(days - 1):yyyy-MM-dd} (seed {cohort.Shape.Seed}){(report.Cancelled ? ", cancelled" : "")}");
        text.AppendLine("stories: " + string.Join(", ", patients.GroupBy(p => p.Story).OrderBy(g => g.Key).Select(g => $"{WireNames.Of(g.Key)} {g.Count()}")));
        text.AppendLine(Invariant, $"check-ins sent: {report.Sent} of {report.Planned} ({patients.Sum(p => p.CheckIns.Count(c => c.Submission == Submission.Correction))} corrections, {patients.Sum(p => p.CheckIns.Count(c => c.Submission == Submission.Backfilled))} backfilled days)");
        text.AppendLine(Invariant, $"alerts raised by rule ({alerts.Count}):");
        foreach (var (rule, count) in report.AlertsByRule) text.AppendLine(Invariant, $"  {WireNames.Of(rule),-24} {count,5}");
        var bySeverity = alerts.GroupBy(a => a.Severity).OrderByDescending(g => g.Key).Select(g => $"{WireNames.Of(g.Key)} {g.Count()}").ToList();
        text.AppendLine("alerts by severity: " + (bySeverity.Count == 0 ? "none" : string.Join(", ", bySeverity)));
        text.AppendLine(Invariant, $"errors: {report.Errors} (429s waited out and retried: {report.Throttled})");
        foreach (var sample in report.ErrorSamples) text.AppendLine("  " + sample);
        text.AppendLine(Invariant, $"elapsed: {report.Elapsed.TotalSeconds:0.0} s, {report.Sent / seconds:0.0} check-ins/s");
        return text.ToString();
    }

    private static string Describe(CohortShape shape) =>
        $"{Count(shape.Clinics, "clinic")} with {Count(shape.PhysiosPerClinic, "physiotherapist")} and {Count(shape.PatientsPerClinic, "patient")} each";

    private static string Count(int count, string what) => $"{count} {what}{(count == 1 ? "" : "s")}";

    private static Option<int> Counted(string name, int byDefault, int most, string description)
    {
        var option = new Option<int>(name) { Description = description, DefaultValueFactory = _ => byDefault };
        option.Validators.Add(result =>
        {
            var value = result.GetValueOrDefault<int>();
            if (value < 1 || value > most) result.AddError($"{name} must be from 1 to {most}; it was {value}.");
        });
        return option;
    }

    private static StoryKind[] ParseStories(ArgumentResult result)
    {
        var stories = new List<StoryKind>();
        foreach (var name in result.Tokens.SelectMany(t => t.Value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)))
        {
            if (WireNames.TryParse<StoryKind>(name, out var story)) stories.Add(story);
            else result.AddError($"--stories: '{name}' is not a story; the stories are {WireNames.Allowed<StoryKind>()}.");
        }
        return [.. stories];
    }
}
