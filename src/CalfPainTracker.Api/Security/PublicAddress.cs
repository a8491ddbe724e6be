using System.Text.RegularExpressions;

namespace CalfPainTracker.Security;

/// <summary>
/// The address people reach the service at (configuration key <c>PublicUrl</c>). Every link the
/// service hands out (share links, webhook links) starts with it, never with the request's Host
/// header: whoever sends a request chooses that header, and a share link made with a forged one
/// would send a doctor to somebody else's site.
/// </summary>
public sealed partial class PublicAddress(Uri baseUrl)
{
    public const string Key = "PublicUrl";

    public Uri BaseUrl { get; } = baseUrl;

    /// <summary>The absolute link to <paramref name="path"/> (starting with '/'), under any path prefix the public address has.</summary>
    public string Link(string path) => BaseUrl.GetLeftPart(UriPartial.Path).TrimEnd('/') + path;

    /// <summary>The <c>iss</c> of the access tokens the service signs for enrolled devices.</summary>
    public string Issuer => Link("");

    /// <summary>
    /// Required outside Development and Testing: a node behind a load balancer cannot know the
    /// name people use. On a developer's machine the address it listens on is that name.
    /// </summary>
    public static PublicAddress From(IConfiguration configuration, IHostEnvironment environment)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentNullException.ThrowIfNull(environment);
        var text = configuration[Key];
        if (string.IsNullOrWhiteSpace(text))
        {
            if (!environment.IsDevelopment() && !environment.IsEnvironment("Testing"))
            {
                throw new InvalidOperationException(
                    "PublicUrl is not set (environment variable PublicUrl): the address patients and clinicians reach the service at, " +
                    "e.g. https://calfpain.example.org. Every link the service makes starts with it; only Development and Testing fall back to the listening address.");
            }
            text = ListeningAddress(configuration);
        }
        if (!Uri.TryCreate(text, UriKind.Absolute, out var url) || url.Scheme is not ("http" or "https") || url.Query.Length > 0 || url.Fragment.Length > 0)
        {
            throw new InvalidOperationException($"PublicUrl must be an absolute http or https URL without a query or fragment; '{text}' is not.");
        }
        return new PublicAddress(url);
    }

    private static string ListeningAddress(IConfiguration configuration)
    {
        var first = (configuration[WebHostDefaults.ServerUrlsKey] ?? "").Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .FirstOrDefault() ?? "http://localhost:5000";
        // Kestrel's "every interface" forms are not an address a browser can open.
        return AnyInterface().Replace(first, "://localhost");
    }

    [GeneratedRegex(@"://(\+|\*|0\.0\.0\.0|\[::\])")]
    private static partial Regex AnyInterface();
}
