using CalfPainTracker.Episodes;

namespace CalfPainTracker.Simulator.Stories;

/// <summary>
/// Leg cramps: intermittent sharp days among days of nearly no pain, relieved by stretching and
/// heat (clinical-reference.md section 1). Yesterday's stretching and heat make a cramp today
/// less likely rather than milder.
/// </summary>
public sealed class Cramps : Story
{
    public override StoryKind Kind => StoryKind.Cramps;

    public override SuspectedCause Cause => SuspectedCause.Cramps;

    public override TreatmentPlan Plan => new(RestHoursPerDay: 0, IceMinutesPerDay: 0, HeatMinutesPerDay: 15, StretchingMinutesPerDay: 15);

    public override DayPicture PictureOn(int day, Treatment? yesterday, Random random)
    {
        var chance = 0.3 - (yesterday?.StretchingMinutes > 0 ? 0.12 : 0) - (yesterday?.HeatMinutes > 0 ? 0.08 : 0);
        var cramp = random.NextDouble() < chance;
        return new DayPicture(
            Pain: cramp ? Between(random, 4, 6.5) : Between(random, 0, 1.2),
            Notes: day == 1 ? "Calf cramps on and off for a month."
                : cramp && random.NextDouble() < 0.3 ? "Cramp after a long walk; eased with stretching and a warm bath." : null);
    }
}
