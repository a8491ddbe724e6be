using CalfPainTracker.Episodes;

namespace CalfPainTracker.Simulator.Stories;

/// <summary>
/// Pain lower in the leg, toward the heel, that eases slowly over many weeks: about a point and
/// a half in six. Loading exercises (logged as stretching) help it most.
/// </summary>
public sealed class AchillesTendinopathy(Random random, int days) : Story
{
    private readonly double _startPain = Between(random, 4.5, 6);
    private readonly double _easedBy = Between(random, 1.2, 2.2) * days / 42.0;

    public override StoryKind Kind => StoryKind.AchillesTendinopathy;

    public override SuspectedCause Cause => SuspectedCause.AchillesTendinopathy;

    public override TreatmentPlan Plan => new(RestHoursPerDay: 1, IceMinutesPerDay: 15, HeatMinutesPerDay: 0, StretchingMinutesPerDay: 20);

    protected override Relief Relief => new(Ice: 0.2, Heat: 0.2, Stretching: 0.5, Nsaid: 0.2, Rest: 0.1);

    public override DayPicture PictureOn(int day, Treatment? yesterday, Random random) => new(
        Pain: _startPain - _easedBy * (day - 1) / Math.Max(1, days - 1) - ReliefFrom(yesterday),
        Notes: day == 1 ? "Heel end of the calf stiff every morning for a few weeks; worse after running."
            : random.NextDouble() < 0.05 ? "Stiff first thing, eased after a few minutes walking." : null);
}
