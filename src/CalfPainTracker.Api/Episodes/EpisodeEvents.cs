namespace CalfPainTracker.Episodes;

public enum Side { Left, Right }

public enum SuspectedCause
{
    CalfStrain,
    MedialGastrocnemiusStrain,
    PlantarisRupture,
    AchillesTendinopathy,
    AchillesRupture,
    BakersCyst,
    Cramps,
    Unknown,
}

public enum EpisodeStatus { Open, Closed }

public enum CloseReason { Recovered, Referred, Other }

/// <summary>The patient-reported items of the Wells score, asked once when the episode opens.</summary>
public sealed record RiskFactors(
    bool ActiveCancer,
    bool RecentImmobilisation,
    bool BedriddenOrRecentSurgery,
    bool PreviousDvt)
{
    public static readonly RiskFactors None = new(false, false, false, false);
}

/// <summary>Daily targets a physiotherapist sets; adherence is measured against them.</summary>
public sealed record TreatmentPlan(
    decimal RestHoursPerDay,
    int IceMinutesPerDay,
    int HeatMinutesPerDay,
    int StretchingMinutesPerDay);

public sealed record EpisodeOpened(
    Guid EpisodeId,
    Guid PatientId,
    Side Side,
    SuspectedCause SuspectedCause,
    DateOnly OnsetDate,
    string TimeZone,
    RiskFactors RiskFactors,
    DateTimeOffset OpenedAt);

public sealed record PhysiotherapistAssigned(Guid EpisodeId, Guid PhysiotherapistId, DateTimeOffset AssignedAt);

public sealed record TreatmentPlanSet(Guid EpisodeId, TreatmentPlan Plan, DateTimeOffset SetAt);

public sealed record EpisodeClosed(Guid EpisodeId, CloseReason Reason, DateTimeOffset ClosedAt);
