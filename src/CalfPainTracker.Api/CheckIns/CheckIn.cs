using CalfPainTracker.Trends;

namespace CalfPainTracker.CheckIns;

public enum Swelling { None, Mild, Moderate, Severe }

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
    DateTimeOffset LoggedAt) : ITreatmentDay
{
    public bool Has(Symptom symptom) => Symptoms.Contains(symptom);

    public bool HasSwelling => Swelling != Swelling.None || SwellingAtAnkle;
}

/// <summary>A logged day's pain: what the rules over several days, the direction and the sparkline need of it.</summary>
public sealed record DayPain(DateOnly Day, int Pain)
{
    public static DayPain Of(CheckIn checkIn) => new(checkIn.Day, checkIn.PainLevel);
}

/// <summary>The first check-in for a day. <paramref name="AlertIds"/>: the alerts its findings belong to, raised or already open.</summary>
public sealed record CheckInLogged(Guid EpisodeId, CheckIn CheckIn, IReadOnlyList<Guid>? AlertIds = null);

/// <summary>A later check-in for a day that already had one; it replaces the day's values, the earlier one stays in history.</summary>
public sealed record CheckInCorrected(Guid EpisodeId, CheckIn CheckIn, IReadOnlyList<Guid>? AlertIds = null);
