using System.Text.Json.Serialization;
using CalfPainTracker.Trends;

namespace CalfPainTracker.CheckIns;

/// <summary>The trend read model stores a day's swelling as its number, so the numbers stay as they are.</summary>
public enum Swelling { None = 0, Mild = 1, Moderate = 2, Severe = 3 }

public enum Symptom
{
    Fever,
    Redness,
    Warmth,
    Deformity,
    ShortnessOfBreath,
    ChestPain,
    CoughingBlood,
    ColdPaleLeg,
    Numbness,
    EntireLegSwollen,
    CannotStandOnTiptoe,
}

/// <summary>Calf girth of both legs, measured 10 cm below the tibial tuberosity.</summary>
public sealed record CalfCircumference(decimal Affected, decimal Other)
{
    public decimal Difference => Affected - Other;
}

/// <summary>One day's check-in as the patient logged it, on their local calendar day.</summary>
public sealed record CheckIn(
    Guid CheckInId,
    DateOnly Day,
    int PainLevel,
    bool PainAtRest,
    bool PainAtNight,
    Swelling Swelling,
    bool SwellingAtAnkle,
    CalfCircumference? CalfCircumferenceCm,
    decimal RestHours,
    int IceMinutes,
    int HeatMinutes,
    int StretchingMinutes,
    bool NsaidTaken,
    bool CanWalkComfortably,
    IReadOnlyList<Symptom> Symptoms,
    string? Notes,
    DateTimeOffset LoggedAt) : IRecoveryDay
{
    /// <summary>
    /// For System.Text.Json alone: a check-in read back from the store is made empty and then
    /// filled in, its fast path, rather than through seventeen constructor arguments gathered and
    /// boxed first; every rebuild reads each stored check-in once per read model.
    /// </summary>
    [JsonConstructor]
    private CheckIn() : this(Guid.Empty, default, 0, false, false, Swelling.None, false, null, 0m, 0, 0, 0, false, false, [], null, default)
    {
    }

    public bool Has(Symptom symptom) => Symptoms.Contains(symptom);

    public bool HasSwelling => Swelling != Swelling.None || SwellingAtAnkle;
}

/// <summary>Something kept once per logged day: the check-in itself, or what a read model needs of it.</summary>
public interface ILoggedDay
{
    DateOnly Day { get; }
}

/// <summary>
/// The latest version of each logged day, in day order: how the episode, the triage document
/// and the trend keep their days. A correction replaces its day; a backfilled day slots in.
/// </summary>
public static class LoggedDays
{
    /// <summary>The index of <paramref name="day"/>, or the bitwise complement of where it would go.</summary>
    public static int IndexOf<T>(IReadOnlyList<T> days, DateOnly day) where T : ILoggedDay
    {
        ArgumentNullException.ThrowIfNull(days);
        int low = 0, high = days.Count - 1;
        while (low <= high)
        {
            var mid = (low + high) / 2;
            var comparison = days[mid].Day.CompareTo(day);
            if (comparison == 0) return mid;
            if (comparison < 0) low = mid + 1; else high = mid - 1;
        }
        return ~low;
    }

    public static void Put<T>(List<T> days, T day) where T : ILoggedDay
    {
        ArgumentNullException.ThrowIfNull(days);
        ArgumentNullException.ThrowIfNull(day);
        var index = IndexOf(days, day.Day);
        if (index >= 0) days[index] = day; else days.Insert(~index, day);
    }
}

/// <summary>A logged day's pain: what the rules over several days, the direction and the sparkline need of it.</summary>
public sealed record DayPain(DateOnly Day, int Pain) : ILoggedDay
{
    public static DayPain Of(CheckIn checkIn) => new(checkIn.Day, checkIn.PainLevel);
}

/// <summary>The first check-in for a day. <paramref name="AlertIds"/>: the alerts its findings belong to, raised or already open.</summary>
public sealed record CheckInLogged(Guid EpisodeId, CheckIn CheckIn, IReadOnlyList<Guid>? AlertIds = null);

/// <summary>A later check-in for a day that already had one; it replaces the day's values, the earlier one stays in history.</summary>
public sealed record CheckInCorrected(Guid EpisodeId, CheckIn CheckIn, IReadOnlyList<Guid>? AlertIds = null);
