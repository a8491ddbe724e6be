using System.Buffers;
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
/// <see cref="CheckInReceipt"/>), and the days an alert was seen on. A document's logged days are
/// stored column by column: the days once, as runs of consecutive days, then one array per figure
/// (<c>{"days":["2026-03-01/2026-12-25"],"pain":[4,4,5,…]}</c>). Written a day at a time, the dates
/// and brackets were most of a long recovery's documents (a 300-day triage document: 39 KB with
/// every field named, 12 KB as an array per day) and most of the tokens read back on every
/// check-in. Documents stored in either earlier form are still read.
/// </summary>
public static class CompactDocuments
{
    public static void Register(JsonSerializerOptions json)
    {
        json.Converters.Add(new LoggedDaysJson<DayPain>(new DayPainFigures()));
        json.Converters.Add(new LoggedDaysJson<TriageDay>(new TriageDayFigures()));
        json.Converters.Add(new LoggedDaysJson<RecoveryDay>(new RecoveryDayFigures()));
        json.Converters.Add(new ReceiptJson());
        json.Converters.Add(new EvidenceJson());
    }

    /// <summary>The figures of a kind of logged day: their names as stored, in the order an entry of the array form held them.</summary>
    private abstract class DayFigures<T> where T : ILoggedDay
    {
        public abstract string[] Names { get; }

        public abstract T FromNumbers(DateOnly day, ReadOnlySpan<decimal> numbers);

        /// <summary>The oldest form: an object per day, every field named.</summary>
        public abstract T FromObject(JsonElement stored, JsonSerializerOptions options);

        public abstract void Write(Utf8JsonWriter writer, T day, int figure);
    }

    /// <summary>The day and its pain.</summary>
    private sealed class DayPainFigures : DayFigures<DayPain>
    {
        public override string[] Names { get; } = ["pain"];

        public override DayPain FromNumbers(DateOnly day, ReadOnlySpan<decimal> numbers) => new(day, (int)numbers[0]);

        public override DayPain FromObject(JsonElement stored, JsonSerializerOptions options) => new(DayOf(stored), stored.GetProperty("pain").GetInt32());

        public override void Write(Utf8JsonWriter writer, DayPain day, int figure) => writer.WriteNumberValue(day.Pain);
    }

    /// <summary>The day, pain, rest hours, ice, heat and stretching minutes.</summary>
    private sealed class TriageDayFigures : DayFigures<TriageDay>
    {
        public override string[] Names { get; } = ["pain", "rest", "ice", "heat", "stretching"];

        public override TriageDay FromNumbers(DateOnly day, ReadOnlySpan<decimal> numbers) =>
            new(day, (int)numbers[0], numbers[1], (int)numbers[2], (int)numbers[3], (int)numbers[4]);

        public override TriageDay FromObject(JsonElement stored, JsonSerializerOptions options) => new(
            DayOf(stored),
            stored.GetProperty("painLevel").GetInt32(),
            stored.GetProperty("restHours").GetDecimal(),
            stored.GetProperty("iceMinutes").GetInt32(),
            stored.GetProperty("heatMinutes").GetInt32(),
            stored.GetProperty("stretchingMinutes").GetInt32());

        public override void Write(Utf8JsonWriter writer, TriageDay day, int figure)
        {
            switch (figure)
            {
                case 0: writer.WriteNumberValue(day.PainLevel); break;
                case 1: writer.WriteNumberValue(day.RestHours); break;
                case 2: writer.WriteNumberValue(day.IceMinutes); break;
                case 3: writer.WriteNumberValue(day.HeatMinutes); break;
                default: writer.WriteNumberValue(day.StretchingMinutes); break;
            }
        }
    }

    /// <summary>
    /// The day, pain, swelling (its number), whether any swelling (0 or 1), rest hours, ice, heat and
    /// stretching minutes, and whether an NSAID was taken (0 or 1). The oldest form was the check-in in full.
    /// </summary>
    private sealed class RecoveryDayFigures : DayFigures<RecoveryDay>
    {
        public override string[] Names { get; } = ["pain", "swelling", "anySwelling", "rest", "ice", "heat", "stretching", "nsaid"];

        public override RecoveryDay FromNumbers(DateOnly day, ReadOnlySpan<decimal> numbers) =>
            new(day, (int)numbers[0], (Swelling)(int)numbers[1], numbers[2] != 0, numbers[3], (int)numbers[4], (int)numbers[5], (int)numbers[6], numbers[7] != 0);

        public override RecoveryDay FromObject(JsonElement stored, JsonSerializerOptions options) =>
            RecoveryDay.Of(stored.Deserialize<CheckIn>(options) ?? throw new JsonException("A stored check-in is null."));

        public override void Write(Utf8JsonWriter writer, RecoveryDay day, int figure)
        {
            switch (figure)
            {
                case 0: writer.WriteNumberValue(day.PainLevel); break;
                case 1: writer.WriteNumberValue((int)day.Swelling); break;
                case 2: writer.WriteNumberValue(day.HasSwelling ? 1 : 0); break;
                case 3: writer.WriteNumberValue(day.RestHours); break;
                case 4: writer.WriteNumberValue(day.IceMinutes); break;
                case 5: writer.WriteNumberValue(day.HeatMinutes); break;
                case 6: writer.WriteNumberValue(day.StretchingMinutes); break;
                default: writer.WriteNumberValue(day.NsaidTaken ? 1 : 0); break;
            }
        }
    }

    /// <summary>
    /// A document's logged days (in day order), column by column. Read back into one buffer of
    /// numbers, a day's figures side by side, so that each day is made from its own slice.
    /// </summary>
    private sealed class LoggedDaysJson<T>(DayFigures<T> figures) : JsonConverter<List<T>> where T : ILoggedDay
    {
        private readonly JsonEncodedText days = JsonEncodedText.Encode("days");

        private readonly JsonEncodedText[] names = [.. figures.Names.Select(n => JsonEncodedText.Encode(n))];

        public override List<T> Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            if (reader.TokenType == JsonTokenType.StartArray) return ReadADayAtATime(ref reader, options);
            if (reader.TokenType != JsonTokenType.StartObject) throw Malformed<T>();
            // PostgreSQL's jsonb keeps an object's keys in an order of its own (shortest first), so
            // the days are found on a first pass over the object and the figures read on a second.
            var runs = RunsOf(reader, out var dayCount) ?? throw Malformed<T>();
            var width = names.Length;
            var numbers = ArrayPool<decimal>.Shared.Rent(Math.Max(1, dayCount * width));
            try
            {
                var seen = 0;
                while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
                {
                    var figure = FigureNamed(ref reader);
                    if (!reader.Read()) throw Malformed<T>();
                    // The days, read on the first pass, and any column this build does not know.
                    if (figure < 0)
                    {
                        if (!reader.TrySkip()) throw Malformed<T>();
                        continue;
                    }
                    if (reader.TokenType != JsonTokenType.StartArray) throw Malformed<T>();
                    var count = 0;
                    while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                    {
                        if (count == dayCount) throw Malformed<T>();
                        // Most figures are whole numbers, read as one for a fraction of a decimal's parse.
                        numbers[count++ * width + figure] = reader.TryGetInt32(out var whole) ? whole : reader.GetDecimal();
                    }
                    if (count != dayCount) throw Malformed<T>();
                    seen |= 1 << figure;
                }
                if (seen != (1 << width) - 1) throw Malformed<T>();
                var list = new List<T>(dayCount);
                foreach (var (first, last) in runs)
                {
                    for (var day = first; ; day = day.AddDays(1))
                    {
                        list.Add(figures.FromNumbers(day, numbers.AsSpan(list.Count * width, width)));
                        if (day == last) break;
                    }
                }
                return list;
            }
            finally
            {
                ArrayPool<decimal>.Shared.Return(numbers);
            }
        }

        public override void Write(Utf8JsonWriter writer, List<T> value, JsonSerializerOptions options)
        {
            // Read back only in day order: a list out of order fails its write, not every later read.
            for (var i = 1; i < value.Count; i++)
                if (value[i].Day <= value[i - 1].Day) throw new JsonException($"{typeof(T).Name} days are not in day order: {value[i].Day:yyyy-MM-dd}.");
            writer.WriteStartObject();
            writer.WritePropertyName(days);
            WriteRuns(writer, value, static d => d.Day);
            for (var figure = 0; figure < names.Length; figure++)
            {
                writer.WriteStartArray(names[figure]);
                foreach (var day in value) figures.Write(writer, day, figure);
                writer.WriteEndArray();
            }
            writer.WriteEndObject();
        }

        /// <summary>
        /// The runs of days, in day order, of the object the reader (a copy, passed by value) stands at
        /// the start of, and how many days they hold; null without days.
        /// </summary>
        private List<(DateOnly First, DateOnly Last)>? RunsOf(Utf8JsonReader reader, out int count)
        {
            count = 0;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var isDays = reader.ValueTextEquals(days.EncodedUtf8Bytes);
                if (!reader.Read()) return null;
                if (!isDays)
                {
                    if (!reader.TrySkip()) throw Malformed<T>();
                    continue;
                }
                if (reader.TokenType != JsonTokenType.StartArray) throw Malformed<T>();
                var runs = new List<(DateOnly First, DateOnly Last)>();
                while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                {
                    var run = ReadRun(ref reader);
                    if (runs.Count > 0 && run.First <= runs[^1].Last) throw new JsonException($"Stored {typeof(T).Name} days are not in day order: {run.First:yyyy-MM-dd}.");
                    count = CountedWith(count, run);
                    runs.Add(run);
                }
                return runs;
            }
            return null;
        }

        private int FigureNamed(ref Utf8JsonReader reader)
        {
            for (var figure = 0; figure < names.Length; figure++)
                if (reader.ValueTextEquals(names[figure].EncodedUtf8Bytes)) return figure;
            return -1;
        }

        /// <summary>The forms written before: an array per day (its date, then its figures), or an object per day.</summary>
        private List<T> ReadADayAtATime(ref Utf8JsonReader reader, JsonSerializerOptions options)
        {
            var list = new List<T>();
            Span<decimal> numbers = stackalloc decimal[names.Length];
            while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
            {
                if (reader.TokenType == JsonTokenType.StartObject)
                {
                    list.Add(figures.FromObject(JsonElement.ParseValue(ref reader), options));
                    continue;
                }
                var day = ReadDay<T>(ref reader);
                var count = 0;
                while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                {
                    if (count == numbers.Length) throw Malformed<T>();
                    numbers[count++] = reader.GetDecimal();
                }
                if (count != numbers.Length) throw Malformed<T>();
                list.Add(figures.FromNumbers(day, numbers[..count]));
            }
            return list;
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
        public override List<DateOnly> Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => ReadRuns(ref reader);

        public override void Write(Utf8JsonWriter writer, List<DateOnly> value, JsonSerializerOptions options) => WriteRuns(writer, value, static d => d);
    }

    private const int RunLength = 2 * DateLength + 1;

    /// <summary>A century of days: more than any recovery holds, so a damaged run cannot fill the memory.</summary>
    private const int MostStoredDays = 36_525;

    /// <summary>Days stored as an array of dates and runs of consecutive dates (<c>"2026-03-01/2026-03-28"</c>), in the order written.</summary>
    private static List<DateOnly> ReadRuns(ref Utf8JsonReader reader)
    {
        if (reader.TokenType != JsonTokenType.StartArray) throw new JsonException("Stored days are an array of days and runs of days.");
        var days = new List<DateOnly>();
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            var (first, last) = ReadRun(ref reader);
            days.EnsureCapacity(CountedWith(days.Count, (first, last)));
            for (var day = first; ; day = day.AddDays(1))
            {
                days.Add(day);
                if (day == last) break;
            }
        }
        return days;
    }

    /// <summary>The run the reader stands on: a date, or the first and last of consecutive dates joined by '/'.</summary>
    private static (DateOnly First, DateOnly Last) ReadRun(ref Utf8JsonReader reader)
    {
        var text = reader.TokenType == JsonTokenType.String ? reader.ValueSpan : default;
        if (text.Length is not (DateLength or RunLength) || text.Length == RunLength && text[DateLength] != '/')
            throw new JsonException("A stored day is a date or two dates joined by '/'.");
        var first = ParseDay(text[..DateLength]);
        var last = text.Length == RunLength ? ParseDay(text[(DateLength + 1)..]) : first;
        if (last < first) throw new JsonException($"A stored run of days ends before it starts: {first:yyyy-MM-dd}.");
        return (first, last);
    }

    /// <summary>The days counted so far with those of <paramref name="run"/>, refused past <see cref="MostStoredDays"/>.</summary>
    private static int CountedWith(int count, (DateOnly First, DateOnly Last) run)
    {
        count += run.Last.DayNumber - run.First.DayNumber + 1;
        return count <= MostStoredDays ? count : throw new JsonException($"Stored days run to more than {MostStoredDays:N0}.");
    }

    private static void WriteRuns<TDay>(Utf8JsonWriter writer, IReadOnlyList<TDay> days, Func<TDay, DateOnly> dayOf)
    {
        writer.WriteStartArray();
        Span<byte> run = stackalloc byte[RunLength];
        for (var start = 0; start < days.Count;)
        {
            var first = dayOf(days[start]);
            var end = start;
            var last = first;
            while (end + 1 < days.Count && dayOf(days[end + 1]) == last.AddDays(1)) last = dayOf(days[++end]);
            if (end == start)
            {
                WriteDay(writer, first);
            }
            else
            {
                first.TryFormat(run, out _, DateFormat, CultureInfo.InvariantCulture);
                run[DateLength] = (byte)'/';
                last.TryFormat(run[(DateLength + 1)..], out _, DateFormat, CultureInfo.InvariantCulture);
                writer.WriteStringValue(run);
            }
            start = end + 1;
        }
        writer.WriteEndArray();
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
        return DateOnly.TryParseExact(date[..length], DateFormat, CultureInfo.InvariantCulture, DateTimeStyles.None, out var day)
            ? day
            : throw new JsonException($"A stored day is not a date: {date[..length]}.");
    }

    private static void WriteDay(Utf8JsonWriter writer, DateOnly day)
    {
        Span<byte> date = stackalloc byte[DateLength];
        day.TryFormat(date, out var written, DateFormat, CultureInfo.InvariantCulture);
        writer.WriteStringValue(date[..written]);
    }

    private static JsonException Malformed<T>() => new($"A stored {typeof(T).Name} is not in the form it was written in.");
}
