using System.Globalization;
using CalfPainTracker.Benchmarks;
using CalfPainTracker.Security;

// Measurement programs for scripts/bench. The signing key comes from Jwt__SigningKey (the
// Development key by default, as scripts/run uses).
var jwt = new JwtSettings
{
    SigningKey = Environment.GetEnvironmentVariable("Jwt__SigningKey") ?? "development-only-signing-key-never-use-in-production-0123456789",
};
var options = Options.Parse(args);
return args switch
{
    ["alert-latency", var url, ..] => await AlertLatency.Run(
        new Uri(url), options.Int(2, 1000), options.Int(3, 50), jwt, options.Flag("--json"), options.IntFlag("--alert-every", 1), options.IntFlag("--open-concurrency", 8)),
    ["open-episodes", var url, var count, var output, ..] => await OpenEpisodes.Run(
        new Uri(url), Options.ParseInt(count), output, jwt, options.IntFlag("--onset-days-ago", 365), options.IntFlag("--clinics", 10), options.IntFlag("--concurrency", 8)),
    ["seed-events", var connectionString, var schema, var events, ..] => await SeedEvents.Run(
        connectionString, schema, Options.ParseInt(events), options.IntFlag("--check-ins-per-episode", 40), options.IntFlag("--clinics", 10), options.Flag("--json")),
    ["idle", var url, var connectionString, var schema, var count, ..] => await Idle.Run(
        new Uri(url), connectionString, schema, Options.ParseInt(count), options.IntFlag("--over-http", 2000), options.IntFlag("--pid", 0), jwt, options.IntFlag("--check-ins", 3),
        options.IntFlag("--concurrency", 16), options.IntFlag("--settle", 30), options.IntFlag("--seconds", 60), options.Flag("--json")),
    ["documents", ..] => Documents.Run(options.IntFlag("--days", 300), options.IntFlag("--iterations", 5000), options.Flag("--json")),
    ["token-validation", ..] => await SignIn.TokenValidation(jwt, options.IntFlag("--iterations", 20000), options.Flag("--json")),
    ["sessions", var url, ..] => await SignIn.Sessions(
        new Uri(url), options.Int(2, 300), options.IntFlag("--warmup", 30), options.IntFlag("--reads", 1000), options.IntFlag("--episodes", 10), jwt, options.Flag("--json")),
    ["app-load", var url, ..] => await AppLoad.Run(
        new Uri(url), options.IntFlag("--runs", 5),
        new AppLoad.Throttle(options.IntFlag("--rtt", 400), options.IntFlag("--down-kbps", 400), options.IntFlag("--up-kbps", 400), options.IntFlag("--cpu", 4)),
        jwt, options.Flag("--json")),
    ["plot", var results, var directory, ..] => Plot.Run(results, directory, options.Flag("--prefix") ?? "bench-"),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine("""
        usage: CalfPainTracker.Benchmarks <command>
          alert-latency URL [COUNT=1000] [RATE=50] [--json PATH] [--alert-every 1] [--open-concurrency 8]
              COUNT patients each log one check-in at RATE a second; every Nth is an emergency whose
              webhook arrival on loopback is timed from the check-in's 201.
          open-episodes URL COUNT OUT.json [--onset-days-ago 365] [--clinics 10] [--concurrency 8]
              opens COUNT episodes over HTTP, each by a patient of its own; writes [{episodeId, token, onset}].
          seed-events CONNECTION-STRING SCHEMA EVENTS [--check-ins-per-episode 40] [--clinics 10] [--json PATH]
              bulk-appends (Marten's COPY-based BulkInsertEventsAsync) episodes shaped like real ones:
              EpisodeOpened, PhysiotherapistAssigned, then daily CheckInLogged, until EVENTS check-ins;
              then renumbers them into the order they happened, as a live store holds them.
          idle URL CONNECTION-STRING SCHEMA COUNT --pid PID [--over-http 2000] [--check-ins 3] [--concurrency 16] [--settle 30] [--seconds 60] [--json PATH]
              opens COUNT episodes (0: none, measure what is there): up to --over-http of them over HTTP, each with a check-in a
              day for the last --check-ins days, and the rest as copies of those made in SQL (streams, events, documents and
              scheduled messages); waits --settle s, then counts pg_stat_user_tables (seq_scan, seq_tup_read, idx_scan, ...) of
              SCHEMA, the CPU of process PID (the service) and of the database's sessions over --seconds s without traffic;
              with pg_stat_statements loaded, the statements run meanwhile.
          documents [--days 300] [--iterations 5000] [--json PATH]
              the episode, triage and trend documents of a recovery this long, written and read back
              through the service's serializer in process: bytes, microseconds and KB allocated.
          token-validation [--iterations 20000] [--json PATH]
              JsonWebTokenHandler.ValidateTokenAsync in process with the service's validation parameters:
              a shared-key HS256 token and a device ES256 token (key rebuilt per call as the service does, and kept).
          sessions URL [COUNT=300] [--warmup 30] [--reads 1000] [--episodes 10] [--json PATH]
              sequential, one connection: COUNT invitations made, redeemed (POST /api/sessions) and refreshed
              (POST /api/sessions/refresh), then GET /api/episodes/{id} with a shared-key and a device token and
              GET /health/live in turn. Needs Auth__SessionAttemptsPerMinutePerAddress raised on the service.
          app-load URL [--runs 5] [--rtt 400] [--down-kbps 400] [--up-kbps 400] [--cpu 4] [--json PATH]
              the patient's app in /usr/bin/chromium (Playwright, 360x740 phone), throttled through CDP: cold load of
              an invitation link in a new context, warm load of /app with its service worker; FCP, DOMContentLoaded,
              load, interactive (body[data-ready]), bytes; the app's files raw, gzip -9 and brotli 11.
          plot RESULTS.json DIRECTORY [--prefix bench-]
              draws throughput and latency PNGs from a scripts/bench results file.
        """);
    return 2;
}

namespace CalfPainTracker.Benchmarks
{
    /// <summary>Positional arguments and `--name value` flags.</summary>
    internal sealed class Options(string[] args)
    {
        public static Options Parse(string[] args) => new(args);

        public static int ParseInt(string text) => int.Parse(text, NumberStyles.Integer, CultureInfo.InvariantCulture);

        private List<string> Positional { get; } = Positionals(args);

        public int Int(int index, int byDefault) => index < Positional.Count ? ParseInt(Positional[index]) : byDefault;

        public string? Flag(string name)
        {
            var at = Array.IndexOf(args, name);
            return at >= 0 && at + 1 < args.Length ? args[at + 1] : null;
        }

        public int IntFlag(string name, int byDefault) => Flag(name) is { } text ? ParseInt(text) : byDefault;

        private static List<string> Positionals(string[] args)
        {
            var list = new List<string>();
            for (var i = 0; i < args.Length; i++)
            {
                if (args[i].StartsWith("--", StringComparison.Ordinal)) i++;
                else list.Add(args[i]);
            }
            return list;
        }
    }
}
