using System.Security.Claims;
using CalfPainTracker.Http;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace CalfPainTracker.Security;

/// <summary>
/// `token --role physio --sub UUID --clinic UUID [--hours 12]`: mints a token signed with the
/// configured key and prints only the token, so that `TOKEN=$(...)` works in a shell. It runs
/// before the host is built, so nothing else is written to standard output.
/// </summary>
public static class DevelopmentToken
{
    public const string Command = "token";

    public static int Run(string[] args, IConfiguration configuration)
    {
        var flags = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i + 1 < args.Length; i += 2) flags[args[i]] = args[i + 1];

        if (!WireNames.TryParse<Role>(flags.GetValueOrDefault("--role", "patient"), out var role))
        {
            return Usage($"--role must be one of {WireNames.Allowed<Role>()}.");
        }
        var sub = flags.TryGetValue("--sub", out var s) ? s : Guid.NewGuid().ToString();
        if (!Guid.TryParse(sub, out var userId)) return Usage("--sub must be a UUID.");
        if (!Guid.TryParse(flags.GetValueOrDefault("--clinic"), out var clinicId)) return Usage("--clinic must be a UUID.");
        if (!int.TryParse(flags.GetValueOrDefault("--hours", "12"), out var hours) || hours is < 1 or > 24 * 30)
        {
            return Usage("--hours must be a whole number from 1 to 720.");
        }

        var settings = configuration.GetSection(JwtSettings.Section).Get<JwtSettings>() ?? new JwtSettings();
        Console.WriteLine(Mint(settings, new Caller(userId, role, clinicId), TimeSpan.FromHours(hours), DateTimeOffset.UtcNow));
        return 0;
    }

    public static string Mint(JwtSettings settings, Caller caller, TimeSpan lifetime, DateTimeOffset now) =>
        new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false }.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = settings.Issuer,
            Audience = settings.Audience,
            IssuedAt = now.UtcDateTime,
            NotBefore = now.UtcDateTime,
            Expires = now.Add(lifetime).UtcDateTime,
            Subject = new ClaimsIdentity(
            [
                new Claim(Caller.SubjectClaim, caller.UserId.ToString()),
                new Claim(Caller.RoleClaim, WireNames.Of(caller.Role)),
                new Claim(Caller.ClinicClaim, caller.ClinicId.ToString()),
            ]),
            SigningCredentials = new SigningCredentials(settings.Key(), SecurityAlgorithms.HmacSha256),
        });

    private static int Usage(string problem)
    {
        Console.Error.WriteLine(problem);
        Console.Error.WriteLine("usage: token --role patient|physio|clinic-admin [--sub UUID] --clinic UUID [--hours 12]");
        return 2;
    }
}
