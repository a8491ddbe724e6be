namespace CalfPainTracker.Http;

/// <summary>
/// Collects what is wrong with a request, field by field, so the client is told about
/// every bad field at once (RFC 9457 problem with an `errors` map).
/// </summary>
public sealed class FieldErrors
{
    private readonly Dictionary<string, List<string>> _errors = new(StringComparer.Ordinal);

    public const string Title = "The request has invalid fields";
    public const string Detail = "Correct the fields listed in 'errors' and send the request again. Nothing was saved.";

    public bool Any => _errors.Count > 0;

    public IReadOnlyCollection<string> Fields => _errors.Keys;

    public void Add(string field, string message)
    {
        if (!_errors.TryGetValue(field, out var messages))
        {
            _errors[field] = messages = [];
        }
        messages.Add(message);
    }

    public T? Require<T>(string field, T? value) where T : struct
    {
        if (value is null) Add(field, $"'{field}' is required.");
        return value;
    }

    public void InRange(string field, decimal? value, decimal min, decimal max)
    {
        if (value is { } v && (v < min || v > max)) Add(field, $"'{field}' must be between {min} and {max}; it was {v}.");
    }

    public TEnum? Enum<TEnum>(string field, string? text, bool required) where TEnum : struct, System.Enum
    {
        if (text is null)
        {
            if (required) Add(field, $"'{field}' is required; one of {WireNames.Allowed<TEnum>()}.");
            return null;
        }
        if (WireNames.TryParse<TEnum>(text, out var value)) return value;
        Add(field, $"'{text}' is not a known value for '{field}'; use one of {WireNames.Allowed<TEnum>()}.");
        return null;
    }

    public DateOnly? Date(string field, string? text, bool required)
    {
        if (text is null)
        {
            if (required) Add(field, $"'{field}' is required, as YYYY-MM-DD.");
            return null;
        }
        if (DateOnly.TryParseExact(text, "yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture,
                System.Globalization.DateTimeStyles.None, out var day)) return day;
        Add(field, $"'{field}' must be a date written YYYY-MM-DD; '{Shorten(text)}' is not.");
        return null;
    }

    public IResult ToResult() => TypedResults.ValidationProblem(
        _errors.ToDictionary(e => e.Key, e => e.Value.ToArray()),
        detail: Detail,
        title: Title);

    private static string Shorten(string text) => text.Length <= 40 ? text : text[..40] + "…";
}
