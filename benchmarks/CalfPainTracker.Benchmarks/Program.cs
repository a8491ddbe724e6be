using CalfPainTracker.Benchmarks;
using CalfPainTracker.Security;

// Usage: alert-latency URL [COUNT] [RATE] — the signing key comes from Jwt__SigningKey (the
// Development key by default, as scripts/run uses).
if (args is not ["alert-latency", var url, ..])
{
    Console.Error.WriteLine("usage: CalfPainTracker.Benchmarks alert-latency URL [COUNT=1000] [RATE=50]");
    return 2;
}
var jwt = new JwtSettings
{
    SigningKey = Environment.GetEnvironmentVariable("Jwt__SigningKey") ?? "development-only-signing-key-never-use-in-production-0123456789",
};
var count = args.Length > 2 ? int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture) : 1000;
var rate = args.Length > 3 ? int.Parse(args[3], System.Globalization.CultureInfo.InvariantCulture) : 50;
return await AlertLatency.Run(new Uri(url), count, rate, jwt);
