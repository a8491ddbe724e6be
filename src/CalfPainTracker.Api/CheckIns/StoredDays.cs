using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using CalfPainTracker.Dashboard;
using CalfPainTracker.Trends;

namespace CalfPainTracker.CheckIns;

/// <summary>
/// How the documents that keep one entry per logged day (the episode's <see cref="DayPain"/>, the
/// triage's <see cref="TriageDay"/>, the trend's <see cref="RecoveryDay"/>) store them: each day a JSON array, its date first, then its
/// numbers. Every check-in reads and rewrites those lists whole, and in the object form the
/// property names, written once per day, were most of a long recovery's documents (a 300-day
/// triage document: 39 KB, of which 33 KB were names). Documents stored in the object form are
/// still read.
/// </summary>
public static class StoredDays
{
    public static void Register(JsonSerializerOptions json)
    {
        json.Converters.Add(new DayPainJson());
        json.Converters.Add(new TriageDayJson());
        json.Converters.Add(new RecoveryDayJson());
    }

    /// <summary><c>["2026-03-01", 4]</c>: the day and its pain.</summary>
    private sealed class DayPainJson : CompactDayJson<DayPain>
    {
        protected override DayPain FromNumbers(DateOnly day, ReadOnlySpan<decimal> numbers) => new(day, (int)numbers[0]);

        protected override DayPain FromObject(JsonElement stored, JsonSerializerOptions options) => new(DayOf(stored), stored.GetProperty("pain").GetInt32());

        protected override void WriteNumbers(Utf8JsonWriter writer, DayPain day) => writer.WriteNumberValue(day.Pain);
    }

    /// <summary><c>["2026-03-01", 4, 1.5, 10, 0, 15]</c>: the day, pain, rest hours, ice, heat and stretching minutes.</summary>
    private sealed class TriageDayJson : CompactDayJson<TriageDay>
    {
        protected override TriageDay FromNumbers(DateOnly day, ReadOnlySpan<decimal> numbers) =>
            new(day, (int)numbers[0], numbers[1], (int)numbers[2], (int)numbers[3], (int)numbers[4]);

        protected override TriageDay FromObject(JsonElement stored, JsonSerializerOptions options) => new(
            DayOf(stored),
            stored.GetProperty("painLevel").GetInt32(),
            stored.GetProperty("restHours").GetDecimal(),
            stored.GetProperty("iceMinutes").GetInt32(),
            stored.GetProperty("heatMinutes").GetInt32(),
            stored.GetProperty("stretchingMinutes").GetInt32());

        protected override void WriteNumbers(Utf8JsonWriter writer, TriageDay day)
        {
            writer.WriteNumberValue(day.PainLevel);
            writer.WriteNumberValue(day.RestHours);
            writer.WriteNumberValue(day.IceMinutes);
            writer.WriteNumberValue(day.HeatMinutes);
            writer.WriteNumberValue(day.StretchingMinutes);
        }
    }

    /// <summary>
    /// <c>["2026-03-01", 4, 1, 1, 1.5, 10, 0, 15, 0]</c>: the day, pain, swelling (its number), whether any
    /// swelling, rest hours, ice, heat and stretching minutes, and whether an NSAID was taken (0 or 1).
    /// The object form it replaces was the check-in in full.
    /// </summary>
    private sealed class RecoveryDayJson : CompactDayJson<RecoveryDay>
    {
        protected override RecoveryDay FromNumbers(DateOnly day, ReadOnlySpan<decimal> numbers) =>
            new(day, (int)numbers[0], (Swelling)(int)numbers[1], numbers[2] != 0, numbers[3], (int)numbers[4], (int)numbers[5], (int)numbers[6], numbers[7] != 0);

        protected override RecoveryDay FromObject(JsonElement stored, JsonSerializerOptions options) =>
            RecoveryDay.Of(stored.Deserialize<CheckIn>(options) ?? throw new JsonException("A stored check-in is null."));

        protected override void WriteNumbers(Utf8JsonWriter writer, RecoveryDay day)
        {
            writer.WriteNumberValue(day.PainLevel);
            writer.WriteNumberValue((int)day.Swelling);
            writer.WriteNumberValue(day.HasSwelling ? 1 : 0);
            writer.WriteNumberValue(day.RestHours);
            writer.WriteNumberValue(day.IceMinutes);
            writer.WriteNumberValue(day.HeatMinutes);
            writer.WriteNumberValue(day.StretchingMinutes);
            writer.WriteNumberValue(day.NsaidTaken ? 1 : 0);
        }
    }

    private static DateOnly DayOf(JsonElement stored) =>
        DateOnly.ParseExact(stored.GetProperty("day").GetString()!, DateFormat, CultureInfo.InvariantCulture);

    private const string DateFormat = "yyyy-MM-dd";

    private abstract class CompactDayJson<T> : JsonConverter<T> where T : ILoggedDay
    {
        private const int MaxNumbers = 8;

        protected abstract T FromNumbers(DateOnly day, ReadOnlySpan<decimal> numbers);

        protected abstract T FromObject(JsonElement stored, JsonSerializerOptions options);

        protected abstract void WriteNumbers(Utf8JsonWriter writer, T day);

        public override T Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            if (reader.TokenType == JsonTokenType.StartObject) return FromObject(JsonElement.ParseValue(ref reader), options);
            if (reader.TokenType != JsonTokenType.StartArray || !reader.Read() || reader.TokenType != JsonTokenType.String || reader.ValueSpan.Length != DateFormat.Length)
                throw new JsonException($"A stored {typeof(T).Name} is an array that starts with its date.");

            Span<char> date = stackalloc char[DateFormat.Length];
            var length = Encoding.UTF8.GetChars(reader.ValueSpan, date);
            var day = DateOnly.ParseExact(date[..length], DateFormat, CultureInfo.InvariantCulture);
            Span<decimal> numbers = stackalloc decimal[MaxNumbers];
            var count = 0;
            while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
            {
                if (count == MaxNumbers) throw new JsonException($"A stored {typeof(T).Name} has more numbers than it can hold.");
                numbers[count++] = reader.GetDecimal();
            }
            return FromNumbers(day, numbers[..count]);
        }

        public override void Write(Utf8JsonWriter writer, T value, JsonSerializerOptions options)
        {
            writer.WriteStartArray();
            Span<byte> date = stackalloc byte[DateFormat.Length];
            value.Day.TryFormat(date, out var written, DateFormat, CultureInfo.InvariantCulture);
            writer.WriteStringValue(date[..written]);
            WriteNumbers(writer, value);
            writer.WriteEndArray();
        }
    }
}
