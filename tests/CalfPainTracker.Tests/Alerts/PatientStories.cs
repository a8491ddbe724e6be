using CalfPainTracker.Alerts;
using CalfPainTracker.CheckIns;
using CalfPainTracker.Episodes;

namespace CalfPainTracker.Tests.Alerts;

/// <summary>Builds check-ins and episodes for the clinical scenarios, in memory.</summary>
public static class PatientStories
{
    public static readonly DateOnly Onset = new(2026, 10, 1);

    public static CheckIn Day(
        int day,
        int pain,
        Swelling swelling = Swelling.None,
        bool ankle = false,
        decimal? affectedCm = null,
        decimal otherCm = 36m,
        bool atRest = false,
        bool atNight = false,
        bool canWalk = true,
        params Symptom[] symptoms) =>
        new(Guid.NewGuid(), Onset.AddDays(day), pain, atRest, atNight, swelling, ankle,
            affectedCm is { } a ? new CalfCircumference(a, otherCm) : null,
            2, 15, 0, 10, false, canWalk, symptoms, null, DateTimeOffset.UnixEpoch);

    public static Episode Episode(SuspectedCause cause = SuspectedCause.CalfStrain, RiskFactors? risk = null)
    {
        var episode = new Episode();
        episode.Apply(new EpisodeOpened(Guid.NewGuid(), Guid.NewGuid(), Side.Left, cause, Onset, "Europe/London", risk ?? RiskFactors.None, DateTimeOffset.UnixEpoch));
        return episode;
    }

    /// <summary>Logs each check-in through the real decision and applies its events, as the event store would.</summary>
    public static List<CheckInOutcome> Log(this Episode episode, params CheckIn[] checkIns) => episode.Log(new RuleSettings(), checkIns);

    public static List<CheckInOutcome> Log(this Episode episode, RuleSettings settings, params CheckIn[] checkIns)
    {
        var outcomes = new List<CheckInOutcome>();
        foreach (var checkIn in checkIns)
        {
            var outcome = CheckInDecision.Decide(episode, checkIn, settings, DateTimeOffset.UnixEpoch.AddDays(checkIn.Day.DayNumber - Onset.DayNumber), Guid.NewGuid);
            foreach (var e in outcome.Events) episode.Apply(e);
            outcomes.Add(outcome);
        }
        return outcomes;
    }

    public static void Apply(this Episode episode, object e) => ((dynamic)episode).Apply((dynamic)e);

    public static IReadOnlyList<Finding> Findings(SuspectedCause cause, RiskFactors risk, params CheckIn[] days) =>
        ClinicalRules.Evaluate(cause, risk, days[^1], days.Select(DayPain.Of).ToList(), new RuleSettings());

    public static IReadOnlyList<Finding> Findings(params CheckIn[] days) => Findings(SuspectedCause.CalfStrain, RiskFactors.None, days);
}
