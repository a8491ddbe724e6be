using CalfPainTracker.CheckIns;
using CalfPainTracker.Episodes;

namespace CalfPainTracker.Simulator.Stories;

/// <summary>
/// A calf muscle strain and its kin (medial gastrocnemius strain, plantaris rupture): sudden
/// onset in sport, swelling and a limp for the first days, pain expected to settle over two
/// to four weeks (clinical-reference.md section 1). Two variations: a strain that stops
/// improving (persistent pain), and a patient who stops checking in.
/// </summary>
public sealed class MuscleStrain : Story
{
    /// <summary>The day from which a plateauing strain stays where it is.</summary>
    public const int PlateauFrom = 10;

    private readonly double _startPain;
    private readonly double _settledPain;
    private readonly int _settlingDays;
    private readonly Swelling _earlySwelling;
    private readonly int _swollenDays;
    private readonly int _limpingDays;
    private readonly string _firstNote;
    private readonly bool _plateaus;

    private MuscleStrain(
        StoryKind kind,
        SuspectedCause cause,
        double startPain,
        double settledPain,
        int settlingDays,
        Swelling earlySwelling,
        int swollenDays,
        int limpingDays,
        string firstNote,
        bool plateaus = false,
        int? lastDay = null)
    {
        Kind = kind;
        Cause = cause;
        _startPain = startPain;
        _settledPain = settledPain;
        _settlingDays = settlingDays;
        _earlySwelling = earlySwelling;
        _swollenDays = swollenDays;
        _limpingDays = limpingDays;
        _firstNote = firstNote;
        _plateaus = plateaus;
        LastDay = lastDay;
    }

    public override StoryKind Kind { get; }

    public override SuspectedCause Cause { get; }

    public override TreatmentPlan Plan => new(RestHoursPerDay: 2, IceMinutesPerDay: 20, HeatMinutesPerDay: 10, StretchingMinutesPerDay: 10);

    public override int? LastDay { get; }

    /// <summary>A plateau is a strain the treatments help less.</summary>
    protected override Relief Relief => _plateaus ? Relief.ForMuscle with { Ice = 0.15, Heat = 0.15, Stretching = 0.2 } : Relief.ForMuscle;

    public static MuscleStrain CalfStrain(Random random) => CalfStrain(random, StoryKind.CalfStrain, lastDay: null);

    /// <summary>"Tennis leg": the most commonly injured part of the calf, more bruising and swelling, a little slower.</summary>
    public static MuscleStrain MedialGastrocnemius(Random random) => new(
        StoryKind.MedialGastrocnemiusStrain, SuspectedCause.MedialGastrocnemiusStrain,
        startPain: Between(random, 6.5, 8), settledPain: Between(random, 0.5, 1.5), settlingDays: random.Next(18, 29),
        Swelling.Moderate, swollenDays: random.Next(5, 9), limpingDays: random.Next(3, 6),
        firstNote: "Pushed off at tennis and felt as if someone had kicked me in the calf. Bruising on the inner calf.");

    /// <summary>Sudden snapping pain in the back of the leg; non-operative, recovers as a strain.</summary>
    public static MuscleStrain PlantarisRupture(Random random) => new(
        StoryKind.PlantarisRupture, SuspectedCause.PlantarisRupture,
        startPain: Between(random, 6, 7.5), settledPain: Between(random, 0.5, 1.5), settlingDays: random.Next(14, 29),
        Swelling.Mild, swollenDays: random.Next(4, 8), limpingDays: random.Next(2, 4),
        firstNote: "Felt a snap at the back of my leg lunging for a ball.");

    /// <summary>Improves for the first days, then sticks at about 5/10: the persistent-pain rule's patient.</summary>
    public static MuscleStrain Plateauing(Random random) => new(
        StoryKind.PlateauingStrain, SuspectedCause.CalfStrain,
        startPain: Between(random, 6.5, 7.5), settledPain: Between(random, 4.6, 5.6), settlingDays: PlateauFrom,
        Swelling.Mild, swollenDays: random.Next(3, 7), limpingDays: random.Next(2, 4),
        firstNote: "Strained my calf at five-a-side.", plateaus: true);

    /// <summary>A calf strain whose patient checks in for a while and then is heard from no more.</summary>
    public static MuscleStrain StopsCheckingIn(Random random, int days)
    {
        var lastDay = Math.Clamp(random.Next(Math.Max(3, days * 2 / 5), Math.Max(4, days * 4 / 5) + 1), 1, Math.Max(1, days - 1));
        return CalfStrain(random, StoryKind.StopsCheckingIn, lastDay);
    }

    private static MuscleStrain CalfStrain(Random random, StoryKind kind, int? lastDay) => new(
        kind, SuspectedCause.CalfStrain,
        startPain: Between(random, 5.5, 7.5), settledPain: Between(random, 0, 1.2), settlingDays: random.Next(14, 29),
        Swelling.Mild, swollenDays: random.Next(3, 7), limpingDays: random.Next(1, 4),
        firstNote: "Felt a sharp pull in the calf running for the bus.", lastDay: lastDay);

    public override DayPicture PictureOn(int day, Treatment? yesterday, Random random)
    {
        var swollen = day <= _swollenDays;
        var limping = day <= _limpingDays;
        return new DayPicture(
            Pain: Settling(day, _startPain, _settledPain, _settlingDays) - ReliefFrom(yesterday),
            Swelling: swollen ? (day <= _swollenDays / 2 ? _earlySwelling : Swelling.Mild) : Swelling.None,
            SwellingAtAnkle: swollen && _earlySwelling == Swelling.Moderate && day <= 2,
            PainAtRest: day == 1 && _startPain >= 7,
            // Pain that will not settle starts to wake some people at night.
            PainAtNight: _plateaus && day >= PlateauFrom && random.NextDouble() < 0.15,
            CanWalkComfortably: !limping,
            Notes: day == 1 ? _firstNote : null,
            MinimumPain: _plateaus ? 4 : 0);
    }
}
