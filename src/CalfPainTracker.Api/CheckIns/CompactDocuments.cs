using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using CalfPainTracker.Dashboard;
using CalfPainTracker.Episodes;
using CalfPainTracker.Trends;

namespace CalfPainTracker.CheckIns;

/// <summary>
/// How the documents every check-in reads and rewrites whole store their repeated entries: one per
/// logged day (the episode's <see cref="DayPain"/>, the triage's <see cref="TriageDay"/>, the
/// trend's <see cref="RecoveryDay"/>) and one per remembered check-in (the episode's
/// <see cref="CheckInReceipt"/>), and the days an alert was seen on. Each entry is a JSON array,
/// its date first, then its numbers. In the object form the property names, written once per
/// entry, were most of a long recovery's documents (a 300-day triage document: 39 KB, of which
/// 33 KB were names). Documents stored in the object form are still read.
/// </summary>
public static class CompactDocuments
{
    public static void Register(JsonSerializerOptions json)
    {
        json.Converters.Add(new DayPainJson());
        json.Converters.Add(new TriageDayJson());
        json.Converters.Add(new RecoveryDayJson());
        json.Converters.Add(new ReceiptJson());
        json.Converters.Add(new EvidenceJson());
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

    /// <summary>
    /// <c>["2026-03-01", 12, 0, "0193…", …]</c>: the day, the check-in's number in the episode, whether
    /// it corrected its day (0 or 1), then the alerts it was answered with.
    /// </summary>
    private sealed class ReceiptJson : JsonConverter<CheckInReceipt>
    {
        public override CheckInReceipt Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            if (reader.TokenType == JsonTokenType.StartObject)
            {
                var stored = JsonElement.ParseValue(ref reader);
                // Receipts written before 1 December 2026 (17b6abf) have no number: they count as the oldest.
                var numbered = stored.TryGetProperty("number", out var storedNumber) ? storedNumber.GetInt32() : 0;
                return new(DayOf(stored), stored.GetProperty("correction").GetBoolean(),
                    [.. stored.GetProperty("alertIds").EnumerateArray().Select(a => a.GetGuid())], numbered);
            }
            var day = ReadDay<CheckInReceipt>(ref reader);
            if (!reader.Read() || reader.TokenType != JsonTokenType.Number) throw Malformed<CheckInReceipt>();
            var number = reader.GetInt32();
            if (!reader.Read() || reader.TokenType != JsonTokenType.Number) throw Malformed<CheckInReceipt>();
            var correction = reader.GetInt32() != 0;
            List<Guid>? alertIds = null;
            while (reader.Read() && reader.TokenType != JsonTokenType.EndArray) (alertIds ??= []).Add(reader.GetGuid());
            return new(day, correction, alertIds ?? [], number);
        }

        public override void Write(Utf8JsonWriter writer, CheckInReceipt value, JsonSerializerOptions options)
        {
            writer.WriteStartArray();
            WriteDay(writer, value.Day);
            writer.WriteNumberValue(value.Number);
            writer.WriteNumberValue(value.Correction ? 1 : 0);
            foreach (var alertId in value.AlertIds) writer.WriteStringValue(alertId);
            writer.WriteEndArray();
        }
    }

    /// <summary>
    /// The days an alert was seen on, <c>["2026-03-01/2026-03-28", "2026-04-02"]</c>: each run of
    /// consecutive days as an ISO 8601 interval. A condition that stays keeps its alert open and adds
    /// a day to it every day, and the episode that holds the alert is rewritten by every check-in.
    /// Evidence stored a day at a time is still read; the days keep their order.
    /// </summary>
    private sealed class EvidenceJson : JsonConverter<List<DateOnly>>
    {
        private const int RunLength = 2 * DateLength + 1;

        public override List<DateOnly> Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            if (reader.TokenType != JsonTokenType.StartArray) throw new JsonException("Stored evidence is an array of days and runs of days.");
            var days = new List<DateOnly>();
            while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
            {
                var text = reader.TokenType == JsonTokenType.String ? reader.ValueSpan : default;
                if (text.Length is not (DateLength or RunLength) || text.Length == RunLength && text[DateLength] != '/')
                    throw new JsonException("A stored evidence day is a date or two dates joined by '/'.");
                var first = ParseDay(text[..DateLength]);
                var last = text.Length == RunLength ? ParseDay(text[(DateLength + 1)..]) : first;
                if (last < first) throw new JsonException($"A stored run of evidence days ends before it starts: {first:yyyy-MM-dd}.");
                for (var day = first; day <= last; day = day.AddDays(1)) days.Add(day);
            }
            return days;
        }

        public override void Write(Utf8JsonWriter writer, List<DateOnly> value, JsonSerializerOptions options)
        {
            writer.WriteStartArray();
            Span<byte> run = stackalloc byte[RunLength];
            for (var start = 0; start < value.Count;)
            {
                var end = start;
                while (end + 1 < value.Count && value[end + 1] == value[end].AddDays(1)) end++;
                if (end == start)
                {
                    WriteDay(writer, value[start]);
                }
                else
                {
                    value[start].TryFormat(run, out _, DateFormat, CultureInfo.InvariantCulture);
                    run[DateLength] = (byte)'/';
                    value[end].TryFormat(run[(DateLength + 1)..], out _, DateFormat, CultureInfo.InvariantCulture);
                    writer.WriteStringValue(run);
                }
                start = end + 1;
            }
            writer.WriteEndArray();
        }
    }

    private static DateOnly DayOf(JsonElement stored) =>
        DateOnly.ParseExact(stored.GetProperty("day").GetString()!, DateFormat, CultureInfo.InvariantCulture);

    private const string DateFormat = "yyyy-MM-dd";

    private const int DateLength = 10;

    /// <summary>Reads the start of an entry's array and its date, leaving the reader on the date.</summary>
    private static DateOnly ReadDay<T>(ref Utf8JsonReader reader)
    {
        if (reader.TokenType != JsonTokenType.StartArray || !reader.Read() || reader.TokenType != JsonTokenType.String || reader.ValueSpan.Length != DateLength)
            throw Malformed<T>();
        return ParseDay(reader.ValueSpan);
    }

    private static DateOnly ParseDay(ReadOnlySpan<byte> utf8)
    {
        Span<char> date = stackalloc char[DateLength];
        var length = Encoding.UTF8.GetChars(utf8, date);
        return DateOnly.ParseExact(date[..length], DateFormat, CultureInfo.InvariantCulture);
    }

    private static void WriteDay(Utf8JsonWriter writer, DateOnly day)
    {
        Span<byte> date = stackalloc byte[DateLength];
        day.TryFormat(date, out var written, DateFormat, CultureInfo.InvariantCulture);
        writer.WriteStringValue(date[..written]);
    }

    private static JsonException Malformed<T>() => new($"A stored {typeof(T).Name} is not the array of its date and figures it was written as.");

    private abstract class CompactDayJson<T> : JsonConverter<T> where T : ILoggedDay
    {
        private const int MaxNumbers = 8;

        protected abstract T FromNumbers(DateOnly day, ReadOnlySpan<decimal> numbers);

        protected abstract T FromObject(JsonElement stored, JsonSerializerOptions options);

        protected abstract void WriteNumbers(Utf8JsonWriter writer, T day);

        public override T Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            if (reader.TokenType == JsonTokenType.StartObject) return FromObject(JsonElement.ParseValue(ref reader), options);
            var day = ReadDay<T>(ref reader);
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
            WriteDay(writer, value.Day);
            WriteNumbers(writer, value);
            writer.WriteEndArray();
        }
    }
}
