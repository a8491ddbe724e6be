using System.Reflection;
using System.Text.RegularExpressions;

namespace CalfPainTracker.Http;

/// <summary>
/// Rewords the 400 that Wolverine.Http writes for a body that does not deserialise, which carries
/// System.Text.Json's message ("could not be converted to CalfPainTracker.CheckIns.LogCheckInRequest"):
/// the client is told which field, in the contract's words, and what was wrong with it, and
/// learns nothing about the service's types. Applies to every route, since every body is read the same way.
/// </summary>
public static partial class JsonBodyProblems
{
    /// <summary>The title Wolverine.Http gives the problem it writes for a <see cref="System.Text.Json.JsonException"/>.</summary>
    public const string WolverineTitle = "Invalid JSON format";

    /// <summary>The key in <c>errors</c> for a fault in the body as a whole rather than in one field.</summary>
    public const string WholeBody = "body";

    public static void Explain(ProblemDetailsContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var problem = context.ProblemDetails;
        if (problem.Status != StatusCodes.Status400BadRequest || problem.Title != WolverineTitle) return;

        var (field, message) = Describe(problem.Detail ?? "");
        problem.Type = "https://tools.ietf.org/html/rfc9110#section-15.5.1";
        problem.Title = FieldErrors.Title;
        problem.Detail = FieldErrors.Detail;
        problem.Instance = null;
        problem.Extensions.Clear();
        problem.Extensions["errors"] = new Dictionary<string, string[]> { [field] = [message] };
    }

    /// <summary>The field (a JSON path such as <c>painLevel</c> or <c>symptoms[1]</c>) and what was wrong, from System.Text.Json's message, which is never passed on.</summary>
    public static (string Field, string Message) Describe(string jsonError)
    {
        var path = PathOf().Match(jsonError) is { Success: true } p ? p.Groups["path"].Value : "$";
        var field = path == "$" ? WholeBody : path.StartsWith("$.", StringComparison.Ordinal) ? path[2..] : path.TrimStart('$');
        var subject = field == WholeBody ? "The request body" : $"'{field}'";
        var expected = Conversion().Match(jsonError) is { Success: true } c ? Expected(FieldType(c.Groups["type"].Value, field)) : null;
        return (field, expected is null ? $"{subject} is not valid JSON." : $"{subject} {expected}.");
    }

    /// <summary>
    /// The type the field should have had. For a request record System.Text.Json names the record
    /// rather than the field, so the field is looked up on it by its last name in the path.
    /// </summary>
    private static Type? FieldType(string named, string field)
    {
        var type = Type.GetType(named) ?? typeof(JsonBodyProblems).Assembly.GetType(named);
        if (type is null || type.Assembly != typeof(JsonBodyProblems).Assembly || field == WholeBody) return type;
        var name = LastName().Match(field).Groups["name"].Value;
        var property = type.GetProperty(name, BindingFlags.Public | BindingFlags.Instance | BindingFlags.IgnoreCase);
        if (property is null) return type;
        return field.EndsWith(']') ? ElementOf(property.PropertyType) : property.PropertyType;
    }

    private static Type? ElementOf(Type list) =>
        list.IsArray ? list.GetElementType() : list.GetGenericArguments() is [var element] ? element : null;

    private static string Expected(Type? type)
    {
        type = type is null ? null : Nullable.GetUnderlyingType(type) ?? type;
        return type switch
        {
            null => "has the wrong kind of value",
            _ when type == typeof(short) || type == typeof(int) || type == typeof(long) || type == typeof(byte)
                || type == typeof(ushort) || type == typeof(uint) || type == typeof(ulong) || type == typeof(sbyte) => "must be a whole number",
            _ when type == typeof(decimal) || type == typeof(double) || type == typeof(float) => "must be a number",
            _ when type == typeof(bool) => "must be true or false",
            _ when type == typeof(string) => "must be text in double quotes",
            _ when type == typeof(Guid) => "must be a UUID",
            _ when type == typeof(DateOnly) => "must be a date written YYYY-MM-DD",
            _ when type == typeof(DateTime) || type == typeof(DateTimeOffset) => "must be a date and time (ISO 8601)",
            _ when type == typeof(TimeOnly) => "must be a time of day, HH:mm",
            _ when type.IsArray || (type != typeof(string) && typeof(System.Collections.IEnumerable).IsAssignableFrom(type)) => "must be a list",
            _ => "must be an object",
        };
    }

    [GeneratedRegex(@"Path: (?<path>.*?) \| LineNumber:")]
    private static partial Regex PathOf();

    [GeneratedRegex(@"^The JSON value could not be converted to (?<type>.+?)\. Path:")]
    private static partial Regex Conversion();

    [GeneratedRegex(@"(?<name>[A-Za-z0-9_]+)(\[\d+\])*$")]
    private static partial Regex LastName();
}
