using CalfPainTracker.CheckIns;
using CalfPainTracker.Episodes;

namespace CalfPainTracker.Simulator.Stories;

/// <summary>
/// A calf strain that is not what it seemed: on <see cref="ClotDay"/> the calf swells, red and
/// warm (a possible clot); the patient waits, and on <see cref="BreathlessDay"/> is breathless
/// with chest pain on breathing in, a clot that has reached the lungs (NHS DVT page; BMJ
/// patient information). In hospital for <see cref="DaysInHospital"/> days, then home on
/// blood thinners, checking in again.
/// </summary>
public sealed class ClotToLungs(Random random) : Story
{
    public const int ClotDay = 6;
    public const int BreathlessDay = 8;
    public const int DaysInHospital = 5;

    private readonly TapeMeasure _tape = new(random);

    public override StoryKind Kind => StoryKind.ClotToLungs;

    public override SuspectedCause Cause => SuspectedCause.CalfStrain;

    public override TreatmentPlan Plan => new(RestHoursPerDay: 2, IceMinutesPerDay: 20, HeatMinutesPerDay: 10, StretchingMinutesPerDay: 10);

    public override bool Away(int day) => day > BreathlessDay && day <= BreathlessDay + DaysInHospital;

    public override DayPicture PictureOn(int day, Treatment? yesterday, Random random)
    {
        if (day < ClotDay)
        {
            return new DayPicture(
                Pain: Settling(day, 5, 4, ClotDay) - ReliefFrom(yesterday),
                CanWalkComfortably: day >= 2,
                Notes: day == 1 ? "Pulled something in my calf on a long walk." : null);
        }
        if (day < BreathlessDay)
        {
            var first = day == ClotDay;
            return new DayPicture(
                Pain: first ? 6 : 6.5, Swelling: Swelling.Moderate, PainAtRest: true, CanWalkComfortably: false,
                Symptoms: [Symptom.Redness, Symptom.Warmth], Calf: _tape.Calves(first ? 3.2 : 3.4),
                Notes: first ? "Calf swollen, red and hot. Thought it was the strain." : null,
                MinimumPain: 5, KeyDay: first);
        }
        if (day == BreathlessDay)
        {
            return new DayPicture(
                Pain: 7, Swelling: Swelling.Moderate, PainAtRest: true, CanWalkComfortably: false,
                Symptoms: [Symptom.Redness, Symptom.Warmth, Symptom.ShortnessOfBreath, Symptom.ChestPain], Calf: _tape.Calves(3.5),
                Notes: "Breathless on the stairs and a sharp pain in my chest when I breathe in.", MinimumPain: 6, KeyDay: true);
        }

        var home = day - BreathlessDay - DaysInHospital;
        return new DayPicture(
            Pain: Settling(home, 4, 1.5, 21) - ReliefFrom(yesterday),
            Swelling: home <= 6 ? Swelling.Mild : Swelling.None,
            CanWalkComfortably: home >= 3,
            Calf: _tape.Calves(Math.Max(0.3, 2.5 - home * 0.15)),
            Notes: home == 1 ? "Home from hospital: clot in the lung, on blood thinners." : null);
    }
}
