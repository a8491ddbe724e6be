namespace CalfPainTracker.Alerts;

/// <summary>The physiotherapist's own persistent-pain threshold for one patient.</summary>
public sealed record PersistentPainTuning(int MinimumPain, int Days, Guid By, DateTimeOffset At);

/// <summary>One advice rule silenced for one patient until <see cref="Until"/>, and why.</summary>
public sealed record RuleSnooze(AlertRule Rule, DateTimeOffset Until, string Reason, Guid By, DateTimeOffset At);

/// <summary>The assigned physiotherapist set the persistent-pain rule for this patient.</summary>
public sealed record AlertTuningSet(Guid EpisodeId, int PersistentPainMinimum, int PersistentPainDays, Guid By, DateTimeOffset At);

/// <summary>The patient's persistent-pain rule is back to the clinic's setting.</summary>
public sealed record AlertTuningRemoved(Guid EpisodeId, Guid By, DateTimeOffset At);

public sealed record AdviceRuleSnoozed(Guid EpisodeId, AlertRule Rule, DateTimeOffset Until, string Reason, Guid By, DateTimeOffset At);

public sealed record AdviceRuleSnoozeLifted(Guid EpisodeId, AlertRule Rule, Guid By, DateTimeOffset At);

/// <summary>
/// How the advice rules are tuned for one episode. Tuning only ever quietens advice: a finding
/// of urgent or emergency severity passes whatever is set here, and the rules that can find a
/// clot, an infection, a rupture or an emergency are not tunable at all.
/// </summary>
public sealed record AlertTuning
{
    public const int MinimumPainFloor = 3;
    public const int MinimumPainCeiling = 8;
    public const int DaysFloor = 2;
    public const int DaysCeiling = 7;
    public const int MaxSnoozeDays = 14;
    public const int MaxReasonLength = 500;

    /// <summary>The rules a physiotherapist may tune: each finds only advice, or (persistent pain) advice that tuning cannot keep from rising.</summary>
    public static readonly IReadOnlySet<AlertRule> Tunable = new HashSet<AlertRule>
    {
        AlertRule.PersistentPain,
        AlertRule.PainAtNightOrRest,
        AlertRule.CannotWalkComfortably,
        AlertRule.Swelling,
        AlertRule.Worsening,
        AlertRule.MissedCheckIns,
    };

    public PersistentPainTuning? PersistentPain { get; init; }

    public IReadOnlyList<RuleSnooze> Snoozes { get; init; } = [];

    public static readonly AlertTuning None = new();

    /// <summary>Nothing tuned and nothing snoozed: the clinic's rules apply as they are.</summary>
    public bool IsEmpty => PersistentPain is null && Snoozes.Count == 0;

    public bool IsSnoozed(AlertRule rule, DateTimeOffset now) => Snoozes.Any(s => s.Rule == rule && s.Until > now);

    /// <summary>Pure: the findings that still raise or feed an alert. A snoozed rule's urgent finding always does.</summary>
    public IReadOnlyList<Finding> Filter(IReadOnlyList<Finding> findings, DateTimeOffset now) =>
        findings.Where(f => f.Severity > Severity.Advice || !IsSnoozed(f.Rule, now)).ToList();

    /// <summary>The persistent-pain threshold for this patient: the clinic's, unless the physiotherapist set one.</summary>
    public PersistentPainThreshold PersistentPainOr(PersistentPainThreshold clinic) =>
        PersistentPain is { } tuned ? clinic with { MinimumPain = tuned.MinimumPain, Days = tuned.Days } : clinic;

    /// <summary>
    /// Pure: the tuning as the event leaves it. A new value, never a change to this one, so a route
    /// can answer with the tuning its event will make without touching the episode it decided on.
    /// </summary>
    public AlertTuning After(AlertTuningSet e) => this with { PersistentPain = new(e.PersistentPainMinimum, e.PersistentPainDays, e.By, e.At) };

    public AlertTuning After(AlertTuningRemoved e) => this with { PersistentPain = null };

    public AlertTuning After(AdviceRuleSnoozed e) =>
        this with { Snoozes = [.. Snoozes.Where(s => s.Rule != e.Rule), new RuleSnooze(e.Rule, e.Until, e.Reason, e.By, e.At)] };

    public AlertTuning After(AdviceRuleSnoozeLifted e) => this with { Snoozes = [.. Snoozes.Where(s => s.Rule != e.Rule)] };
}
