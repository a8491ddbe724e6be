using System.Collections.Frozen;
using System.Text.Json;

namespace CalfPainTracker.Http;

/// <summary>
/// The names enumerations carry on the wire ("calf-strain", "shortness-of-breath").
/// Requests parse them here rather than in the JSON converter so that an unknown value
/// becomes a field error the client can read, not a deserialisation failure.
/// </summary>
public static class WireNames
{
    public static readonly JsonNamingPolicy Policy = JsonNamingPolicy.KebabCaseLower;

    public static string Of<T>(T value) where T : struct, Enum => Names<T>.ByValue[value];

    public static bool TryParse<T>(string? text, out T value) where T : struct, Enum
    {
        value = default;
        return text is not null && Names<T>.ByName.TryGetValue(text, out value);
    }

    /// <summary>A name the route's Validate method has already checked.</summary>
    public static T Parse<T>(string? text) where T : struct, Enum => Names<T>.ByName[text!];

    public static string Allowed<T>() where T : struct, Enum => string.Join(", ", Names<T>.ByValue.Values.Select(n => $"'{n}'"));

    private static class Names<T> where T : struct, Enum
    {
        public static readonly FrozenDictionary<T, string> ByValue =
            Enum.GetValues<T>().ToFrozenDictionary(v => v, v => Policy.ConvertName(v.ToString()));

        public static readonly FrozenDictionary<string, T> ByName =
            ByValue.ToFrozenDictionary(p => p.Value, p => p.Key, StringComparer.Ordinal);
    }
}
