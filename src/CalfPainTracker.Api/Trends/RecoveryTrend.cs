using System.Globalization;
using CalfPainTracker.CheckIns;
using CalfPainTracker.Episodes;

namespace CalfPainTracker.Trends;

public sealed record LefsScore(DateOnly Day, int Total)
{
    public static LefsScore Of(LefsAnswered answered) => new(answered.Day, answered.Total);
}

/// <summary>Lower Extremity Functional Scale (Binkley 1999): higher is better.</summary>
public static class Lefs
{
    public const int Items = 20;
    public const int MaxPerItem = 4;
    public const int MinimalClinicallyImportantDifference = 9;

    /// <exception cref="ArgumentException">Not exactly 20 answers, or an answer outside 0..4.</exception>
    public static int Score(IReadOnlyList<int> answers)
    {
        ArgumentNullException.ThrowIfNull(answers);
        if (answers.Count != Items)
        {
            throw new ArgumentException($"LEFS has {Items} items; got {answers.Count} answers.", nameof(answers));
        }

        for (var i = 0; i < answers.Count; i++)
        {
            if (answers[i] is < 0 or > MaxPerItem)
            {
                throw new ArgumentException($"LEFS item {i + 1} must be 0 to {MaxPerItem}; got {answers[i]}.", nameof(answers));
            }
        }

        return answers.Sum();
    }
}

public enum TrendDirection { Improving, Stable, Worsening }

public enum Treatment { Ice, Heat, Stretching, Rest, Nsaid }

/// <summary>One logged day; a missed day has no entry, so charts show a gap rather than a zero.</summary>
public sealed record TrendDay(
    DateOnly Day,
    int PainLevel,
    decimal? Rolling3,
    decimal? Rolling7,
    Swelling Swelling,
    decimal RestHours,
    int IceMinutes,
    int HeatMinutes,
    int StretchingMinutes,
    bool NsaidTaken);

/// <summary>What adherence is measured from: the treatments of one logged day.</summary>
public interface ITreatmentDay
{
    decimal RestHours { get; }
    int IceMinutes { get; }
    int HeatMinutes { get; }
    int StretchingMinutes { get; }
}

/// <summary>What the recovery maths reads of a logged day: the check-in itself, or the trend read model's copy of it.</summary>
public interface IRecoveryDay : ILoggedDay, ITreatmentDay
{
    int PainLevel { get; }
    Swelling Swelling { get; }
    bool HasSwelling { get; }
    bool NsaidTaken { get; }
}

/// <summary>Percent of the plan's daily target achieved; null where the plan sets no target for that treatment.</summary>
public sealed record AdherenceFigures(decimal? RestPercent, decimal? IcePercent, decimal? HeatPercent, decimal? StretchingPercent)
{
    /// <summary>The mean of the treatments the plan sets, one figure for a list of patients; null when it sets none.</summary>
    public decimal? Mean()
    {
        var known = new[] { RestPercent, IcePercent, HeatPercent, StretchingPercent }.OfType<decimal>().ToList();
        return known.Count == 0 ? null : Math.Round(known.Average(), 1, MidpointRounding.AwayFromZero);
    }
}

/// <summary>Over the whole episode: each treatment of the plan, and their mean.</summary>
public sealed record Adherence(AdherenceFigures PerTreatment, decimal? Overall);

/// <summary>One ISO-8601 week (Monday to Sunday) of the patient's local days.</summary>
public sealed record WeekSummary(
    int IsoYear,
    int IsoWeek,
    DateOnly WeekStart,
    decimal MeanPain,
    int MaxPain,
    int DaysLogged,
    int DaysWithSwelling,
    decimal RestHours,
    int IceMinutes,
    int HeatMinutes,
    int StretchingMinutes,
    int NsaidDays,
    AdherenceFigures? Adherence);

public sealed record TreatmentResponse(
    Treatment Treatment,
    int DaysWith,
    int DaysWithout,
    decimal? MeanNextDayPainChangeWith,
    decimal? MeanNextDayPainChangeWithout,
    bool EnoughData,
    string Interpretation);

public sealed record Milestones(DateOnly? FirstDayAtOrBelow2, int? DaysToHalveBaseline, int LongestPainFreeStreak);

public sealed record LefsTrend(IReadOnlyList<LefsScore> Scores, int? ChangeFromFirst, bool MeaningfulImprovement);

public sealed record RecoveryTrend(
    IReadOnlyList<TrendDay> Days,
    decimal? BaselinePain,
    decimal? CurrentPain,
    decimal? ChangeFromBaseline,
    TrendDirection? Direction,
    bool MeaningfulChange,
    int MeaningfulChangeThreshold,
    decimal? SlopePerDay14,
    IReadOnlyList<WeekSummary> Weeks,
    Adherence? Adherence,
    IReadOnlyList<TreatmentResponse> TreatmentResponse,
    Milestones Milestones,
    LefsTrend? Lefs,
    string Note);

/// <summary>
/// Recovery maths over an episode's check-ins. Pure: the same days, plan and scores always give the same trend.
/// </summary>
public static class RecoveryTrends
{
    /// <summary>Baseline and current pain are each the mean of this many logged days, smoothing a single odd day.</summary>
    public const int DaysAveraged = 3;

    /// <summary>With fewer days baseline and current overlap, so a direction would compare a day with itself.</summary>
    public const int DaysNeededForDirection = 4;

    public const int MinimumDaysPerGroupForResponse = 3;

    public const int SlopeWindowDays = 14;

    public const string NotEnoughDaysNote = "Not enough check-ins yet to tell a direction (needs 4).";

    public const string NotEnoughResponseData = "Not enough data: needs at least 3 days with and 3 without.";

    /// <summary>
    /// Farrar 2001's general "clinically important" change, used only when there is no baseline to be aware of.
    /// </summary>
    private const int ThresholdWithoutBaseline = 2;

    public static RecoveryTrend Compute(IReadOnlyList<IRecoveryDay> days, TreatmentPlan? plan, IReadOnlyList<LefsScore> lefs)
    {
        ArgumentNullException.ThrowIfNull(days);
        ArgumentNullException.ThrowIfNull(lefs);

        var logged = days.OrderBy(d => d.Day).ToList();
        for (var i = 1; i < logged.Count; i++)
        {
            if (logged[i].Day == logged[i - 1].Day)
            {
                throw new ArgumentException($"Each day must appear once; {logged[i].Day:yyyy-MM-dd} appears twice.", nameof(days));
            }
        }

        var painByDay = logged.ToDictionary(d => d.Day, d => d.PainLevel);

        var baseline = MeanPain(logged.Take(DaysAveraged));
        var current = MeanPain(logged.TakeLast(DaysAveraged));
        var change = current - baseline;
        var threshold = ThresholdFor(baseline);
        var direction = DirectionOf(logged.Count, baseline, current);
        var adherence = OverallAdherence(logged, plan) is { } perTreatment ? new Adherence(perTreatment, perTreatment.Mean()) : null;

        return new RecoveryTrend(
            Days: logged.Select(d => ToTrendDay(d, painByDay)).ToList(),
            BaselinePain: baseline,
            CurrentPain: current,
            ChangeFromBaseline: change,
            Direction: direction,
            MeaningfulChange: direction is not null && Math.Abs(change!.Value) >= threshold,
            MeaningfulChangeThreshold: threshold,
            SlopePerDay14: SlopeOverLastFortnight(logged),
            Weeks: WeeksOf(logged, plan),
            Adherence: adherence,
            TreatmentResponse: Enum.GetValues<Treatment>().Select(t => ResponseTo(t, logged, painByDay, plan)).ToList(),
            Milestones: MilestonesOf(logged, baseline),
            Lefs: LefsTrendOf(lefs),
            Note: logged.Count < DaysNeededForDirection ? NotEnoughDaysNote : "");
    }

    /// <summary>The direction alone, for the dashboard: the pain of each logged day, in day order.</summary>
    public static TrendDirection? DirectionOf(IReadOnlyList<int> painByLoggedDay) =>
        DirectionOf(painByLoggedDay.Count, MeanOf(painByLoggedDay.Take(DaysAveraged)), MeanOf(painByLoggedDay.TakeLast(DaysAveraged)));

    /// <summary>Adherence over the whole episode; none without a plan to measure against or days to measure.</summary>
    public static AdherenceFigures? OverallAdherence(IReadOnlyList<ITreatmentDay> logged, TreatmentPlan? plan) =>
        plan is not null && logged.Count > 0 ? AdherenceOver(logged, plan) : null;

    private static int ThresholdFor(decimal? baseline) => baseline is { } b ? MeaningfulChangeThreshold(b) : ThresholdWithoutBaseline;

    private static TrendDirection? DirectionOf(int daysLogged, decimal? baseline, decimal? current)
    {
        if (daysLogged < DaysNeededForDirection || baseline is not { } before || current is not { } now) return null;
        var threshold = ThresholdFor(baseline);
        return now <= before - threshold ? TrendDirection.Improving
            : now >= before + threshold ? TrendDirection.Worsening
            : TrendDirection.Stable;
    }

    /// <summary>
    /// Narrows the day-by-day and weekly views to a date range; baseline, direction, adherence and the rest stay
    /// whole-episode, because a window that starts mid-recovery would otherwise re-baseline the patient.
    /// </summary>
    public static RecoveryTrend Within(this RecoveryTrend trend, DateOnly? from, DateOnly? to)
    {
        ArgumentNullException.ThrowIfNull(trend);
        var first = from ?? DateOnly.MinValue;
        var last = to ?? DateOnly.MaxValue;
        return trend with
        {
            Days = trend.Days.Where(d => d.Day >= first && d.Day <= last).ToList(),
            Weeks = trend.Weeks.Where(w => w.WeekStart <= last && w.WeekStart.AddDays(6) >= first).ToList(),
        };
    }

    /// <summary>Baseline-aware minimal important change on the 0-10 scale (clinical reference, section 4).</summary>
    public static int MeaningfulChangeThreshold(decimal baselinePain) =>
        Math.Round(baselinePain, 0, MidpointRounding.AwayFromZero) switch
        {
            <= 4 => 1,
            <= 7 => 2,
            _ => 3,
        };

    private static TrendDay ToTrendDay(IRecoveryDay day, Dictionary<DateOnly, int> painByDay) => new(
        day.Day,
        day.PainLevel,
        RollingMean(day.Day, 3, painByDay),
        RollingMean(day.Day, 7, painByDay),
        day.Swelling,
        day.RestHours,
        day.IceMinutes,
        day.HeatMinutes,
        day.StretchingMinutes,
        day.NsaidTaken);

    /// <summary>Averages only the days actually logged in the window: a missed day is unknown pain, not zero pain.</summary>
    private static decimal? RollingMean(DateOnly day, int calendarDays, Dictionary<DateOnly, int> painByDay)
    {
        var inWindow = Enumerable.Range(0, calendarDays)
            .Select(back => day.AddDays(-back))
            .Where(painByDay.ContainsKey)
            .Select(d => painByDay[d])
            .ToList();
        return inWindow.Count == 0 ? null : Round2((decimal)inWindow.Sum() / inWindow.Count);
    }

    private static decimal? MeanPain(IEnumerable<IRecoveryDay> days) => MeanOf(days.Select(d => d.PainLevel));

    private static decimal? MeanOf(IEnumerable<int> pains)
    {
        var all = pains.ToList();
        return all.Count == 0 ? null : Round2((decimal)all.Sum() / all.Count);
    }

    /// <summary>Least-squares slope in pain points per calendar day; gaps keep their true spacing on the day axis.</summary>
    private static decimal? SlopeOverLastFortnight(List<IRecoveryDay> logged)
    {
        if (logged.Count == 0)
        {
            return null;
        }

        var windowStart = logged[^1].Day.AddDays(-(SlopeWindowDays - 1));
        var points = logged.Where(d => d.Day >= windowStart).Select(d => (X: (decimal)d.Day.DayNumber, Y: (decimal)d.PainLevel)).ToList();
        if (points.Count < 2)
        {
            return null;
        }

        var meanX = points.Average(p => p.X);
        var meanY = points.Average(p => p.Y);
        var covariance = points.Sum(p => (p.X - meanX) * (p.Y - meanY));
        var spread = points.Sum(p => (p.X - meanX) * (p.X - meanX));
        return Math.Round(covariance / spread, 3, MidpointRounding.AwayFromZero);
    }

    private static List<WeekSummary> WeeksOf(List<IRecoveryDay> logged, TreatmentPlan? plan) =>
        logged
            .GroupBy(d => (Year: ISOWeek.GetYear(d.Day), Week: ISOWeek.GetWeekOfYear(d.Day)))
            .Select(week =>
            {
                var days = week.ToList();
                return new WeekSummary(
                    week.Key.Year,
                    week.Key.Week,
                    ISOWeek.ToDateOnly(week.Key.Year, week.Key.Week, DayOfWeek.Monday),
                    MeanPain(days)!.Value,
                    days.Max(d => d.PainLevel),
                    days.Count,
                    days.Count(d => d.HasSwelling),
                    days.Sum(d => d.RestHours),
                    days.Sum(d => d.IceMinutes),
                    days.Sum(d => d.HeatMinutes),
                    days.Sum(d => d.StretchingMinutes),
                    days.Count(d => d.NsaidTaken),
                    plan is null ? null : AdherenceOver(days, plan));
            })
            .ToList();

    /// <summary>
    /// Each day counts up to its target only: an hour of ice on Tuesday does not treat Monday's missed
    /// session. One pass and no list per treatment: the triage works this out on every check-in.
    /// </summary>
    private static AdherenceFigures AdherenceOver(IReadOnlyList<ITreatmentDay> days, TreatmentPlan plan)
    {
        decimal rest = 0, ice = 0, heat = 0, stretching = 0;
        for (var i = 0; i < days.Count; i++)
        {
            var day = days[i];
            rest += Math.Min(day.RestHours, plan.RestHoursPerDay);
            ice += Math.Min(day.IceMinutes, plan.IceMinutesPerDay);
            heat += Math.Min(day.HeatMinutes, plan.HeatMinutesPerDay);
            stretching += Math.Min(day.StretchingMinutes, plan.StretchingMinutesPerDay);
        }
        return new(
            PercentOfTarget(rest, plan.RestHoursPerDay, days.Count),
            PercentOfTarget(ice, plan.IceMinutesPerDay, days.Count),
            PercentOfTarget(heat, plan.HeatMinutesPerDay, days.Count),
            PercentOfTarget(stretching, plan.StretchingMinutesPerDay, days.Count));
    }

    private static decimal? PercentOfTarget(decimal achieved, decimal targetPerDay, int days) =>
        targetPerDay <= 0 || days == 0 ? null : Math.Round(achieved / (targetPerDay * days) * 100, 1, MidpointRounding.AwayFromZero);

    private static TreatmentResponse ResponseTo(Treatment treatment, List<IRecoveryDay> logged, Dictionary<DateOnly, int> painByDay, TreatmentPlan? plan)
    {
        var restTarget = plan is { RestHoursPerDay: > 0 } ? plan.RestHoursPerDay : (decimal?)null;
        bool Had(IRecoveryDay d) => treatment switch
        {
            Treatment.Ice => d.IceMinutes > 0,
            Treatment.Heat => d.HeatMinutes > 0,
            Treatment.Stretching => d.StretchingMinutes > 0,
            Treatment.Rest => restTarget is { } target ? d.RestHours >= target : d.RestHours > 0,
            Treatment.Nsaid => d.NsaidTaken,
            _ => throw new ArgumentOutOfRangeException(nameof(treatment), treatment, null),
        };

        // Only a day followed by a logged day has a next-day change; a gap tells us nothing about the response.
        var changes = logged
            .Where(d => painByDay.ContainsKey(d.Day.AddDays(1)))
            .Select(d => (With: Had(d), Change: painByDay[d.Day.AddDays(1)] - d.PainLevel))
            .ToList();
        var with = changes.Where(c => c.With).Select(c => c.Change).ToList();
        var without = changes.Where(c => !c.With).Select(c => c.Change).ToList();

        var enough = with.Count >= MinimumDaysPerGroupForResponse && without.Count >= MinimumDaysPerGroupForResponse;
        if (!enough)
        {
            return new TreatmentResponse(treatment, with.Count, without.Count, null, null, false, NotEnoughResponseData);
        }

        var meanWith = Round2((decimal)with.Sum() / with.Count);
        var meanWithout = Round2((decimal)without.Sum() / without.Count);
        var label = treatment switch
        {
            Treatment.Ice => "ice",
            Treatment.Heat => "heat",
            Treatment.Stretching => "stretching",
            Treatment.Rest when restTarget is { } target => $"at least {target.ToString("0.##", CultureInfo.InvariantCulture)} hours of rest (the plan's target)",
            Treatment.Rest => "some rest",
            _ => "an anti-inflammatory (NSAID)",
        };
        var interpretation =
            $"On days with {label}, next-day pain changed by {Signed(meanWith)} on average vs {Signed(meanWithout)} without. " +
            "This is an association in your own records, not proof of cause.";
        return new TreatmentResponse(treatment, with.Count, without.Count, meanWith, meanWithout, true, interpretation);
    }

    private static string Signed(decimal change) => change.ToString("+0.##;-0.##;0", CultureInfo.InvariantCulture);

    private static Milestones MilestonesOf(List<IRecoveryDay> logged, decimal? baseline)
    {
        var firstLowDay = logged.FirstOrDefault(d => d.PainLevel <= 2)?.Day;

        int? daysToHalve = null;
        if (baseline is > 0 && logged.FirstOrDefault(d => d.PainLevel <= baseline.Value / 2) is { } halved)
        {
            daysToHalve = halved.Day.DayNumber - logged[0].Day.DayNumber;
        }

        // A missed day breaks the streak: we cannot claim a pain-free day nobody recorded.
        int longest = 0, run = 0;
        DateOnly? previous = null;
        foreach (var day in logged)
        {
            run = day.PainLevel != 0 ? 0
                : previous is { } p && p.AddDays(1) == day.Day && run > 0 ? run + 1
                : 1;
            longest = Math.Max(longest, run);
            previous = day.Day;
        }

        return new Milestones(firstLowDay, daysToHalve, longest);
    }

    private static LefsTrend? LefsTrendOf(IReadOnlyList<LefsScore> lefs)
    {
        if (lefs.Count == 0)
        {
            return null;
        }

        var scores = lefs.OrderBy(s => s.Day).ToList();
        int? change = scores.Count > 1 ? scores[^1].Total - scores[0].Total : null;
        return new LefsTrend(scores, change, change >= Lefs.MinimalClinicallyImportantDifference);
    }

    private static decimal Round2(decimal value) => Math.Round(value, 2, MidpointRounding.AwayFromZero);
}
