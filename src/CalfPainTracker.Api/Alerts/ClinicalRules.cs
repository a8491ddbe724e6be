using CalfPainTracker.CheckIns;
using CalfPainTracker.Episodes;
using CalfPainTracker.Trends;

namespace CalfPainTracker.Alerts;

public enum Severity { Advice, Urgent, Emergency }

public enum AlertRule
{
    PersistentPain,
    PainAtNightOrRest,
    CannotWalkComfortably,
    PossibleRupture,
    Swelling,
    PossibleClot,
    Infection,
    PossibleClotInLungs,
    ColdPaleLeg,
    Worsening,
    MissedCheckIns,
}

/// <summary>What one rule found in the check-in just logged: the basis of an alert.</summary>
public sealed record Finding(
    AlertRule Rule,
    Severity Severity,
    string Title,
    string Advice,
    IReadOnlyList<DateOnly> Evidence,
    string Source,
    PartialWells? Wells = null);

/// <summary>"Pain that persists beyond a few days": no authoritative number, so configurable per suspected cause.</summary>
public sealed record PersistentPainThreshold(int MinimumPain = 4, int Days = 3, int MinimumImprovement = 1);

/// <summary>Configuration section "ClinicalRules".</summary>
public sealed class RuleSettings
{
    public const string Section = "ClinicalRules";

    public PersistentPainThreshold PersistentPain { get; set; } = new();

    /// <summary>Overrides by suspected cause, e.g. a longer window for Achilles tendinopathy, whose progress is slow.</summary>
    public Dictionary<SuspectedCause, PersistentPainThreshold> PersistentPainByCause { get; set; } = [];

    /// <summary>An urgent or emergency alert nobody has acknowledged by then is passed to the clinic.</summary>
    public TimeSpan EscalateAfter { get; set; } = TimeSpan.FromHours(2);

    /// <summary>
    /// An advice alert whose rule has not fired on this many newly logged days after its last
    /// evidence is cleared by the service; 0 never clears.
    /// </summary>
    public int ClearAdviceAfterCheckIns { get; set; } = 3;

    public PersistentPainThreshold PersistentPainFor(SuspectedCause cause) =>
        PersistentPainByCause.TryGetValue(cause, out var threshold) ? threshold : PersistentPain;
}

/// <summary>
/// The clinical rules of clinical-reference.md sections 2-4, as pure functions of the episode
/// and its check-ins. Each finding names its source. The rules escalate and tell people when
/// to seek care; none of them ever says a condition is unlikely.
/// </summary>
public static class ClinicalRules
{
    public const string SeedList = "Calf pain: when to see a doctor (seed article, clinical-reference.md section 2)";
    public const string NhsDvt = "NHS: Deep vein thrombosis (nhs.uk/conditions/deep-vein-thrombosis-dvt)";
    public const string LegPainAlgorithm = "gpreasoning.uk leg-pain algorithm: acute limb ischaemia";
    public const string MeaningfulChange = "Farrar 2001, Pain 94:149; Salaffi 2004, Eur J Pain (baseline-aware meaningful change)";

    /// <summary>
    /// Evaluates every rule for the day of <paramref name="today"/>: its own answers, and the
    /// pain of all logged days (latest version of each, in day order) with that day among them.
    /// </summary>
    /// <param name="tuning">The physiotherapist's tuning of this episode's advice rules; snoozes are judged at <paramref name="now"/>.</param>
    public static IReadOnlyList<Finding> Evaluate(
        SuspectedCause cause, RiskFactors risk, CheckIn today, IReadOnlyList<DayPain> days, RuleSettings settings,
        AlertTuning? tuning = null, DateTimeOffset? now = null)
    {
        ArgumentNullException.ThrowIfNull(today);
        var index = LoggedDays.IndexOf(days, today.Day);
        if (index < 0) return [];
        var upToToday = days.Take(index + 1).ToList();
        var findings = new List<Finding>();

        Emergencies(today, findings);
        Clot(risk, today, findings);
        Infection(today, findings);
        Rupture(today, findings);
        var clinic = settings.PersistentPainFor(cause);
        var persistent = new List<Finding>();
        PersistentPain(upToToday, clinic, (tuning ?? AlertTuning.None).PersistentPainOr(clinic), persistent);
        if (!IntermittentCramps(cause, upToToday))
        {
            findings.AddRange(persistent);
            Worsening(upToToday, findings);
        }
        else
        {
            // Severe pain on every recent check-in is not intermittent, whatever came before it.
            findings.AddRange(persistent.Where(f => f.Severity == Severity.Urgent));
        }
        if (today.PainAtRest || today.PainAtNight)
        {
            var when = today.PainAtRest && today.PainAtNight ? "at rest and at night" : today.PainAtRest ? "at rest" : "at night";
            findings.Add(new(AlertRule.PainAtNightOrRest, Severity.Advice, $"Calf pain {when}",
                "Pain at rest or at night is a reason to see a doctor. Book an appointment with your GP or physiotherapist in the next few days.",
                [today.Day], SeedList));
        }
        if (!today.CanWalkComfortably)
        {
            findings.Add(new(AlertRule.CannotWalkComfortably, Severity.Advice, "Cannot walk comfortably",
                "Not being able to walk comfortably on the affected side is a reason to see a doctor. Book an appointment in the next few days; if it gets worse, sooner.",
                [today.Day], SeedList));
        }
        if (today.HasSwelling)
        {
            findings.Add(new(AlertRule.Swelling, Severity.Advice, "Swelling of the calf or ankle",
                "Swelling of the calf or ankle is a reason to see a doctor. If it comes with redness, warmth or the calf gets bigger than the other side, contact a doctor today.",
                [today.Day], SeedList));
        }
        return tuning is not null && now is { } at ? tuning.Filter(findings, at) : findings;
    }

    private static void Emergencies(CheckIn today, List<Finding> findings)
    {
        var chest = new[] { Symptom.ShortnessOfBreath, Symptom.ChestPain, Symptom.CoughingBlood }.Where(today.Has).ToList();
        if (chest.Count > 0)
        {
            // Any of these with a painful calf may mean a clot has reached the lungs: there is
            // nothing to wait for, so no further condition is asked.
            findings.Add(new(AlertRule.PossibleClotInLungs, Severity.Emergency, "Call emergency services now: possible clot in the lungs",
                $"Calf symptoms together with {Describe(chest)} can mean a blood clot has reached the lungs. Call 999 (or your local emergency number) now. Do not wait for your physiotherapist.",
                [today.Day], NhsDvt + "; BMJ Group patient information"));
        }
        if (today.Has(Symptom.ColdPaleLeg))
        {
            var numb = today.Has(Symptom.Numbness) ? ", numb" : "";
            findings.Add(new(AlertRule.ColdPaleLeg, Severity.Emergency, "Call emergency services now: cold, pale leg",
                $"A cold, pale{numb} leg can mean its blood supply is blocked. Call 999 (or your local emergency number) now.",
                [today.Day], LegPainAlgorithm));
        }
    }

    private static void Clot(RiskFactors risk, CheckIn today, List<Finding> findings)
    {
        var wells = Wells.Partial(risk, today);
        var difference = today.CalfCircumferenceCm?.Difference;
        var swollen = today.HasSwelling || today.Has(Symptom.EntireLegSwollen) || difference >= Wells.CalfDifferenceCm;
        if (!swollen) return;

        var reasons = new List<string>();
        if (difference >= Wells.CalfDifferenceCm) reasons.Add($"the calf is {difference:0.#} cm larger than the other side");
        if (today.Has(Symptom.Redness)) reasons.Add("redness");
        if (today.Has(Symptom.Warmth)) reasons.Add("warmth");
        if (wells.Score >= 1) reasons.Add($"Wells items you reported score {wells.Score}");
        if (reasons.Count == 0) return;

        findings.Add(new(AlertRule.PossibleClot, Severity.Urgent, "Possible blood clot (DVT): see a doctor today",
            $"Swelling with {string.Join(", ", reasons)} can be a sign of a blood clot in the leg. Contact your GP or an urgent care service today; " +
            "a clinician needs to examine the leg. If you become breathless, have chest pain or cough blood, call 999 at once.",
            [today.Day], NhsDvt + "; " + Wells.Source, wells));
    }

    /// <summary>The seed list names fever, redness and warmth as signs of infection: fever alone is reason to see a doctor, with a red or warm calf the same day.</summary>
    private static void Infection(CheckIn today, List<Finding> findings)
    {
        if (!today.Has(Symptom.Fever)) return;
        if (today.Has(Symptom.Redness) || today.Has(Symptom.Warmth))
        {
            findings.Add(new(AlertRule.Infection, Severity.Urgent, "Signs of infection: see a doctor today",
                "Fever with a red or warm calf can be an infection. Contact your GP or an urgent care service today.",
                [today.Day], SeedList + ", item 6"));
            return;
        }
        findings.Add(new(AlertRule.Infection, Severity.Advice, "Fever with calf pain: see a doctor",
            "A fever with calf pain can be a sign of infection. Book an appointment with your GP in the next day or two; " +
            "if the calf becomes red, warm or more swollen, or you feel very unwell, contact a doctor today.",
            [today.Day], SeedList + ", item 6"));
    }

    private static void Rupture(CheckIn today, List<Finding> findings)
    {
        var signs = new List<string>();
        if (today.Has(Symptom.Deformity)) signs.Add("a deformity around the leg");
        if (today.Has(Symptom.CannotStandOnTiptoe)) signs.Add("not being able to stand on tiptoe");
        if (signs.Count == 0) return;
        findings.Add(new(AlertRule.PossibleRupture, Severity.Urgent, "Possible tendon or muscle rupture: see a doctor today",
            $"{char.ToUpperInvariant(signs[0][0])}{string.Join(" and ", signs)[1..]} can mean a ruptured Achilles tendon or muscle. Get seen today (GP, urgent care or A&E); early treatment matters.",
            [today.Day], SeedList));
    }

    /// <summary>How far back cramps are looked at for a pain-free day between them.</summary>
    public const int CrampLookBackDays = 7;

    /// <summary>
    /// Leg cramps come and go, relieved by stretching and heat: "no alert unless constant"
    /// (clinical-reference.md section 1). Pain that fell back to 0-1 on any of the last
    /// <see cref="CrampLookBackDays"/> logged days is not constant, so it neither persists nor worsens.
    /// </summary>
    private static bool IntermittentCramps(SuspectedCause cause, List<DayPain> days) =>
        cause == SuspectedCause.Cramps && days.TakeLast(CrampLookBackDays).Any(d => d.Pain <= 1);

    /// <summary>Pain at or above the threshold on each of the last N logged days, without improving by the minimum over them.</summary>
    private static void PersistentPain(List<DayPain> days, PersistentPainThreshold clinic, PersistentPainThreshold threshold, List<Finding> findings)
    {
        // Unrelenting severe pain needs a quicker look than pain that is merely not improving,
        // and it is judged on the clinic's window: no per-patient tuning may delay or hide it.
        if (NotImproving(days, clinic.Days, Math.Max(SeverePain, clinic.MinimumPain), clinic.MinimumImprovement) is { } severe)
        {
            findings.Add(new(AlertRule.PersistentPain, Severity.Urgent, "Severe calf pain that is not improving",
                $"Your pain has been {clinic.MinimumPain}/10 or more for {clinic.Days} check-ins without getting better. Contact your GP or physiotherapist today.",
                severe.Select(d => d.Day).ToList(), PersistentPainSource(clinic, threshold)));
            return;
        }
        if (NotImproving(days, threshold.Days, threshold.MinimumPain, threshold.MinimumImprovement) is not { } run) return;
        findings.Add(new(AlertRule.PersistentPain, Severity.Advice, "Calf pain that is not improving",
            $"Your pain has been {threshold.MinimumPain}/10 or more for {threshold.Days} check-ins without getting better. Book an appointment with your GP or physiotherapist.",
            run.Select(d => d.Day).ToList(), PersistentPainSource(clinic, threshold)));
    }

    /// <summary>Pain at which persistent pain is urgent rather than advice, whatever the tuning.</summary>
    public const int SeverePain = 8;

    private static List<DayPain>? NotImproving(List<DayPain> days, int count, int minimumPain, int minimumImprovement)
    {
        if (days.Count < count) return null;
        var run = days.TakeLast(count).ToList();
        if (run.Any(d => d.Pain < minimumPain)) return null;
        return run[0].Pain - run[^1].Pain >= minimumImprovement ? null : run;
    }

    private static string PersistentPainSource(PersistentPainThreshold clinic, PersistentPainThreshold threshold) =>
        SeedList + ", item 4 (default: pain >= 4 on 3 consecutive check-ins, no improvement of >= 1)" +
        (threshold == clinic ? "" : $"; tuned for this patient: pain >= {threshold.MinimumPain} on {threshold.Days} check-ins");

    /// <summary>Pain up by the baseline-aware meaningful change over the last 3 logged days.</summary>
    private static void Worsening(List<DayPain> days, List<Finding> findings)
    {
        if (days.Count < 3) return;
        var window = days.TakeLast(3).ToList();
        var baseline = (decimal)days.Take(RecoveryTrends.DaysAveraged).Average(d => d.Pain);
        var threshold = RecoveryTrends.MeaningfulChangeThreshold(baseline);
        var rise = window[^1].Pain - window[0].Pain;
        if (rise < threshold) return;
        findings.Add(new(AlertRule.Worsening, Severity.Advice, "Pain is getting worse",
            $"Your pain rose by {rise} points over your last 3 check-ins ({window[0].Pain} to {window[^1].Pain}/10). Tell your physiotherapist; if it keeps rising, see a doctor.",
            window.Select(d => d.Day).ToList(), MeaningfulChange));
    }

    private static string Describe(List<Symptom> symptoms) => string.Join(" or ", symptoms.Select(s => s switch
    {
        Symptom.ShortnessOfBreath => "shortness of breath",
        Symptom.ChestPain => "chest pain",
        Symptom.CoughingBlood => "coughing blood",
        _ => Http.WireNames.Of(s),
    }));
}
