using System.Globalization;
using System.Text;
using CalfPainTracker.Alerts;
using CalfPainTracker.CheckIns;
using CalfPainTracker.Episodes;
using CalfPainTracker.Http;
using CalfPainTracker.Simulator.Stories;

namespace CalfPainTracker.Simulator;

/// <summary>One patient's alerts after a run through the rules.</summary>
public sealed record PatientBurden(SimulatedPatient Patient, Episode Episode)
{
    /// <summary>The story day (1 = onset) of the first check-in that showed an urgent or emergency alert, if any.</summary>
    public int? FirstUrgentDay { get; init; }

    public int? FirstEmergencyDay { get; init; }

    public int OpenAdvice => Episode.Alerts.Count(a => a.IsOpen && a.Severity == Severity.Advice);

    public int Open => Episode.Alerts.Count(a => a.IsOpen);
}

/// <summary>What a clinic's physiotherapists are shown over a run: the alert burden.</summary>
public sealed record BurdenReport(int ClearAdviceAfterCheckIns, IReadOnlyList<PatientBurden> Patients)
{
    public IEnumerable<Alert> Alerts => Patients.SelectMany(p => p.Episode.Alerts);

    public decimal MeanOpenAdvice => Patients.Count == 0 ? 0 : (decimal)Patients.Sum(p => p.OpenAdvice) / Patients.Count;
}

/// <summary>
/// Runs a seeded cohort through the service's own pure decisions (check-ins, clearing, the
/// missed check-in rule) in memory, in the order the simulator would send them: the same rules
/// as over HTTP, in well under a second, so a rule change can be measured before it ships.
/// </summary>
public static class AlertBurden
{
    /// <summary>Check-ins are taken as sent at this local time on the latest day logged so far.</summary>
    private static readonly TimeOnly SentAt = new(20, 0);

    public static BurdenReport Run(Cohort cohort, StoryCalendar calendar, RuleSettings settings) =>
        new(settings.ClearAdviceAfterCheckIns, cohort.Patients.Select(p => Follow(p, calendar, settings)).ToList());

    private static PatientBurden Follow(SimulatedPatient patient, StoryCalendar calendar, RuleSettings settings)
    {
        var request = patient.Episode;
        var episode = new Episode();
        var onset = DateOnly.ParseExact(request.OnsetDate!, "yyyy-MM-dd", CultureInfo.InvariantCulture);
        var risk = request.RiskFactors!;
        var newId = Ids(patient.Patient.UserId);
        Apply(episode, new EpisodeOpened(newId(), patient.Patient.UserId, Parse<Side>(request.Side), Parse<SuspectedCause>(request.SuspectedCause), onset, request.TimeZone!,
            new RiskFactors(risk.ActiveCancer ?? false, risk.RecentImmobilisation ?? false, risk.BedriddenOrRecentSurgery ?? false, risk.PreviousDvt ?? false),
            episode.AtLocal(onset, SentAt)));

        int? firstUrgent = null, firstEmergency = null;
        DateOnly? latest = null;
        foreach (var planned in patient.CheckIns)
        {
            latest = latest is { } l && l > planned.Day ? l : planned.Day;
            var now = episode.AtLocal(latest.Value, SentAt);
            CheckMissed(episode, now, newId);

            var errors = new FieldErrors();
            var checkIn = planned.Request.Validate(episode, latest.Value, now, errors)
                ?? throw new InvalidOperationException($"The diary wrote a check-in the service refuses: {string.Join(", ", errors.Fields)}");
            var outcome = CheckInDecision.Decide(episode, checkIn, settings, now, newId);
            foreach (var e in outcome.Events) Apply(episode, e);

            var day = planned.Day.DayNumber - onset.DayNumber + 1;
            if (outcome.Alerts.Any(a => a.Severity >= Severity.Urgent)) firstUrgent ??= day;
            if (outcome.Alerts.Any(a => a.Severity == Severity.Emergency)) firstEmergency ??= day;
        }
        // The missed check-in rule runs on after the last check-in, to the end of the run's last day.
        CheckMissed(episode, episode.AtLocal(calendar.Start.AddDays(calendar.Days), TimeOnly.MinValue), newId);
        return new PatientBurden(patient, episode) { FirstUrgentDay = firstUrgent, FirstEmergencyDay = firstEmergency };
    }

    /// <summary>The durable check the service schedules after each newest day, if it has come due by <paramref name="now"/>.</summary>
    private static void CheckMissed(Episode episode, DateTimeOffset now, Func<Guid> newId)
    {
        if (episode.Latest is not { } latest || MissedCheckIns.DueAt(episode, latest.Day) > now) return;
        var check = new CheckForMissedCheckIns(episode.Id, latest.Day, MissedCheckIns.TellPhysioAfterDays);
        foreach (var e in MissedCheckIns.Decide(episode, check, MissedCheckIns.DueAt(episode, latest.Day), newId)) Apply(episode, e);
    }

    private static void Apply(Episode episode, object e)
    {
        switch (e)
        {
            case EpisodeOpened x: episode.Apply(x); break;
            case CheckInLogged x: episode.Apply(x); break;
            case CheckInCorrected x: episode.Apply(x); break;
            case AlertRaised x: episode.Apply(x); break;
            case AlertEvidenceAdded x: episode.Apply(x); break;
            case AlertSeverityRaised x: episode.Apply(x); break;
            case AlertCleared x: episode.Apply(x); break;
            default: throw new InvalidOperationException($"The burden run does not fold {e.GetType().Name}.");
        }
    }

    private static T Parse<T>(string? text) where T : struct, Enum =>
        WireNames.TryParse<T>(text, out var value) ? value : throw new InvalidOperationException($"'{text}' is not a {typeof(T).Name}.");

    /// <summary>Seeded ids, so two runs of one cohort name the same alerts.</summary>
    private static Func<Guid> Ids(Guid seed)
    {
        var random = new Random(seed.GetHashCode());
        return () => PatientDiary.NewId(random);
    }

    /// <summary>Before (never cleared) and after, side by side, in Markdown.</summary>
    public static string Compare(Cohort cohort, StoryCalendar calendar, BurdenReport before, BurdenReport after)
    {
        var text = new StringBuilder();
        var i = CultureInfo.InvariantCulture;
        string Setting(BurdenReport r) => r.ClearAdviceAfterCheckIns == 0 ? "never cleared" : $"cleared after {r.ClearAdviceAfterCheckIns}";
        text.AppendLine(i, $"Alert burden: {cohort.Patients.Count()} patients, {calendar.Days} days from the onset (seed {cohort.Shape.Seed}); " +
            $"ClinicalRules:ClearAdviceAfterCheckIns {before.ClearAdviceAfterCheckIns} (before) and {after.ClearAdviceAfterCheckIns} (after).");
        text.AppendLine();
        text.AppendLine(i, $"| alerts raised, by rule | {Setting(before)} | {Setting(after)} |");
        text.AppendLine("|---|---:|---:|");
        foreach (var rule in before.Alerts.Concat(after.Alerts).Select(a => a.Rule).Distinct().Order())
        {
            text.AppendLine(i, $"| {WireNames.Of(rule)} | {before.Alerts.Count(a => a.Rule == rule)} | {after.Alerts.Count(a => a.Rule == rule)} |");
        }
        foreach (var severity in Enum.GetValues<Severity>().Reverse())
        {
            text.AppendLine(i, $"| all {WireNames.Of(severity)} | {before.Alerts.Count(a => a.Severity == severity)} | {after.Alerts.Count(a => a.Severity == severity)} |");
        }
        text.AppendLine(i, $"| **all** | **{before.Alerts.Count()}** | **{after.Alerts.Count()}** |");
        text.AppendLine(i, $"| cleared by the service | {before.Alerts.Count(a => a.Status == AlertStatus.Cleared)} | {after.Alerts.Count(a => a.Status == AlertStatus.Cleared)} |");
        text.AppendLine();
        text.AppendLine("| open on the last day | before | after |");
        text.AppendLine("|---|---:|---:|");
        text.AppendLine(i, $"| open alerts (all severities) | {before.Patients.Sum(p => p.Open)} | {after.Patients.Sum(p => p.Open)} |");
        text.AppendLine(i, $"| open advice alerts | {before.Patients.Sum(p => p.OpenAdvice)} | {after.Patients.Sum(p => p.OpenAdvice)} |");
        text.AppendLine(i, $"| open advice alerts per patient (mean) | {before.MeanOpenAdvice:0.00} | {after.MeanOpenAdvice:0.00} |");
        text.AppendLine(i, $"| most open advice alerts on one patient | {before.Patients.Max(p => p.OpenAdvice)} | {after.Patients.Max(p => p.OpenAdvice)} |");
        text.AppendLine(i, $"| patients with no open advice alert | {before.Patients.Count(p => p.OpenAdvice == 0)} | {after.Patients.Count(p => p.OpenAdvice == 0)} |");
        text.AppendLine();
        text.AppendLine("| patient | story | first urgent, before | after | first emergency, before | after |");
        text.AppendLine("|---|---|---:|---:|---:|---:|");
        foreach (var (b, a) in before.Patients.Zip(after.Patients).Where(p => p.First.FirstUrgentDay is not null || p.Second.FirstUrgentDay is not null))
        {
            text.AppendLine(i, $"| {b.Patient.Patient.UserId.ToString()[..8]} | {WireNames.Of(b.Patient.Story)} | {Day(b.FirstUrgentDay)} | {Day(a.FirstUrgentDay)} | {Day(b.FirstEmergencyDay)} | {Day(a.FirstEmergencyDay)} |");
        }
        return text.ToString();
    }

    private static string Day(int? day) => day is { } d ? $"day {d}" : "-";
}
