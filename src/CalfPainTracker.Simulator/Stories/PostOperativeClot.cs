using CalfPainTracker.CheckIns;
using CalfPainTracker.Episodes;

namespace CalfPainTracker.Simulator.Stories;

/// <summary>
/// A patient a fortnight after knee surgery (a Wells item: major surgery within 12 weeks) with
/// an aching calf, who measures both calves every day. On <see cref="ClotDay"/> the calf swells,
/// is 3.5 cm larger than the other and warm: a possible clot (NHS DVT page). Treated, the
/// swelling goes down over the next two weeks.
/// </summary>
public sealed class PostOperativeClot(Random random) : Story
{
    public const int ClotDay = 9;
    public const decimal ClotDifferenceCm = 3.5m;

    private readonly TapeMeasure _tape = new(random);

    public override StoryKind Kind => StoryKind.PostOperativeClot;

    public override SuspectedCause Cause => SuspectedCause.Unknown;

    public override RiskFactors RiskFactors => new(ActiveCancer: false, RecentImmobilisation: false, BedriddenOrRecentSurgery: true, PreviousDvt: false);

    /// <summary>No ice or heat on a fresh surgical leg: rest and ankle pumps.</summary>
    public override TreatmentPlan Plan => new(RestHoursPerDay: 3, IceMinutesPerDay: 0, HeatMinutesPerDay: 0, StretchingMinutesPerDay: 10);

    public override DayPicture PictureOn(int day, Treatment? yesterday, Random random)
    {
        if (day < ClotDay)
        {
            return new DayPicture(
                Pain: Settling(day, 3.5, 2, ClotDay) - ReliefFrom(yesterday),
                CanWalkComfortably: day >= 3,
                Calf: _tape.Calves(Between(random, 0, 0.8)),
                Notes: day == 1 ? "Two weeks after knee surgery; the calf aches when I walk." : null);
        }
        if (day == ClotDay)
        {
            return new DayPicture(
                Pain: 6, Swelling: Swelling.Moderate, PainAtRest: true, CanWalkComfortably: false,
                Symptoms: [Symptom.Warmth], Calf: _tape.Calves((double)ClotDifferenceCm),
                Notes: "Calf suddenly swollen, tight and warm to touch.", MinimumPain: 5, KeyDay: true);
        }

        // On anticoagulants: the swelling and the difference go down over two weeks.
        var since = day - ClotDay;
        return new DayPicture(
            Pain: Settling(since, 5, 1.5, 14) - ReliefFrom(yesterday),
            Swelling: since <= 7 ? Swelling.Mild : Swelling.None,
            PainAtRest: since == 1,
            CanWalkComfortably: since >= 4,
            Symptoms: since == 1 ? [Symptom.Warmth] : null,
            Calf: _tape.Calves(Math.Max(0.3, 3.0 - since * 0.2)),
            Notes: since == 1 ? "Seen at the hospital: scan showed a clot; started blood thinners." : null);
    }
}
