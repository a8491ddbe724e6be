using CalfPainTracker.CheckIns;
using CalfPainTracker.Episodes;

namespace CalfPainTracker.Simulator.Stories;

/// <summary>The recoveries the simulator tells (clinical-reference.md sections 1 and 2); on the command line by wire name, e.g. "post-operative-clot".</summary>
public enum StoryKind
{
    CalfStrain,
    MedialGastrocnemiusStrain,
    PlantarisRupture,
    AchillesTendinopathy,
    PlateauingStrain,
    Cramps,
    PostOperativeClot,
    ClotToLungs,
    StopsCheckingIn,
}

/// <summary>
/// How the leg is on one day of a story, before the day's noise. <paramref name="Pain"/> is the
/// expected pain with yesterday's treatments already counted; <paramref name="MinimumPain"/>
/// keeps the noise from telling a different story (a plateau never dips below it). A
/// <paramref name="KeyDay"/> is the day the story is about: logged on the day, never missed,
/// late or mistyped, so its alert lands on the expected day.
/// </summary>
public sealed record DayPicture(
    double Pain,
    Swelling Swelling = Swelling.None,
    bool SwellingAtAnkle = false,
    bool PainAtRest = false,
    bool PainAtNight = false,
    bool CanWalkComfortably = true,
    IReadOnlyList<Symptom>? Symptoms = null,
    CalfCircumference? Calf = null,
    string? Notes = null,
    int MinimumPain = 0,
    bool KeyDay = false);

/// <summary>What the patient did for the leg on one day.</summary>
public sealed record Treatment(decimal RestHours, int IceMinutes, int HeatMinutes, int StretchingMinutes, bool NsaidTaken);

/// <summary>How much each of yesterday's treatments lowers today's pain, in points: a little, so the treatment-response view has signal without drowning the story.</summary>
public sealed record Relief(double Ice, double Heat, double Stretching, double Nsaid, double Rest)
{
    public static readonly Relief ForMuscle = new(Ice: 0.3, Heat: 0.3, Stretching: 0.4, Nsaid: 0.3, Rest: 0.2);
}

/// <summary>
/// One patient's recovery as a pure, seeded generator: everything it draws comes from the
/// <see cref="Random"/> it is given, so the same seed tells the same story. Days count from 1,
/// the day of onset.
/// </summary>
public abstract class Story
{
    public abstract StoryKind Kind { get; }

    public abstract SuspectedCause Cause { get; }

    public virtual RiskFactors RiskFactors => RiskFactors.None;

    public abstract TreatmentPlan Plan { get; }

    /// <summary>The last day the patient checks in; after it, silence.</summary>
    public virtual int? LastDay => null;

    protected virtual Relief Relief => Relief.ForMuscle;

    /// <summary>Days the patient logs nothing because they are somewhere else (in hospital).</summary>
    public virtual bool Away(int day) => false;

    public abstract DayPicture PictureOn(int day, Treatment? yesterday, Random random);

    public static Story Create(StoryKind kind, int days, Random random) => kind switch
    {
        StoryKind.CalfStrain => MuscleStrain.CalfStrain(random),
        StoryKind.MedialGastrocnemiusStrain => MuscleStrain.MedialGastrocnemius(random),
        StoryKind.PlantarisRupture => MuscleStrain.PlantarisRupture(random),
        StoryKind.PlateauingStrain => MuscleStrain.Plateauing(random),
        StoryKind.StopsCheckingIn => MuscleStrain.StopsCheckingIn(random, days),
        StoryKind.AchillesTendinopathy => new AchillesTendinopathy(random, days),
        StoryKind.Cramps => new Cramps(),
        StoryKind.PostOperativeClot => new PostOperativeClot(random),
        StoryKind.ClotToLungs => new ClotToLungs(random),
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "No such story."),
    };

    /// <summary>
    /// What the patient does today: the plan's treatments, each on a day with probability
    /// <paramref name="adherence"/>; ice mostly in the first two weeks, when it is advised;
    /// anti-inflammatories on the worse days.
    /// </summary>
    public Treatment Choose(int day, int pain, double adherence, Random random)
    {
        var plan = Plan;
        var followsRest = random.NextDouble() < adherence;
        var rest = plan.RestHoursPerDay == 0
            ? HalfHours(Between(random, 0, 2))
            : HalfHours((double)plan.RestHoursPerDay * (followsRest ? Between(random, 1.0, 1.5) : Between(random, 0.2, 0.9)));
        var ice = Minutes(plan.IceMinutesPerDay, random.NextDouble() < (day <= 14 ? adherence : adherence * 0.3), random);
        var heat = Minutes(plan.HeatMinutesPerDay, random.NextDouble() < adherence * 0.8, random);
        var stretching = Minutes(plan.StretchingMinutesPerDay, random.NextDouble() < (day > 2 ? adherence : adherence * 0.3), random);
        var nsaid = random.NextDouble() < (pain >= 5 ? 0.5 : 0.1);
        return new Treatment(rest, ice, heat, stretching, nsaid);
    }

    /// <summary>Today's pain relief from what was done yesterday.</summary>
    protected double ReliefFrom(Treatment? yesterday)
    {
        if (yesterday is null) return 0;
        var relief = Relief;
        var total = 0.0;
        if (yesterday.IceMinutes > 0) total += relief.Ice;
        if (yesterday.HeatMinutes > 0) total += relief.Heat;
        if (yesterday.StretchingMinutes > 0) total += relief.Stretching;
        if (yesterday.NsaidTaken) total += relief.Nsaid;
        if (Plan.RestHoursPerDay > 0 && yesterday.RestHours >= Plan.RestHoursPerDay) total += relief.Rest;
        return total;
    }

    /// <summary>From <paramref name="from"/> to <paramref name="to"/> over <paramref name="overDays"/> days, faster at first, as healing tissue settles.</summary>
    protected static double Settling(int day, double from, double to, int overDays)
    {
        var progress = Math.Clamp((day - 1) / (double)overDays, 0, 1);
        return to + (from - to) * Math.Pow(1 - progress, 1.5);
    }

    protected internal static double Between(Random random, double low, double high) => low + random.NextDouble() * (high - low);

    private static decimal HalfHours(double hours) => Math.Round((decimal)hours * 2, MidpointRounding.AwayFromZero) / 2;

    private static int Minutes(int planned, bool done, Random random) =>
        !done || planned == 0 ? 0 : Math.Max(5, (int)Math.Round(planned * Between(random, 0.8, 1.5) / 5) * 5);
}

/// <summary>
/// Both calves measured with a tape 10 cm below the tibial tuberosity, read to the millimetre
/// (clinical-reference.md section 3); the unaffected calf stays as it is.
/// </summary>
public sealed class TapeMeasure(Random random)
{
    private readonly decimal _otherCalf = Math.Round((decimal)Story.Between(random, 34, 39) * 2) / 2;

    public CalfCircumference Calves(double difference) => new(_otherCalf + Math.Round((decimal)difference, 1), _otherCalf);
}
