using System.Globalization;
using CalfPainTracker.CheckIns;
using CalfPainTracker.Episodes;
using CalfPainTracker.Trends;

namespace CalfPainTracker.Tests.Trends;

public sealed class RecoveryTrendTests
{
    private static readonly LefsScore[] NoLefs = [];

    private static CheckIn Logged(
        string day,
        int pain,
        decimal rest = 0,
        int ice = 0,
        int heat = 0,
        int stretching = 0,
        bool nsaid = false,
        Swelling swelling = Swelling.None,
        bool swellingAtAnkle = false) =>
        new(
            Guid.NewGuid(),
            DateOnly.Parse(day, CultureInfo.InvariantCulture),
            pain,
            PainAtRest: false,
            PainAtNight: false,
            swelling,
            swellingAtAnkle,
            CalfCircumferenceCm: null,
            rest,
            ice,
            heat,
            stretching,
            nsaid,
            CanWalkComfortably: true,
            Symptoms: [],
            Notes: null,
            LoggedAt: DateTimeOffset.UnixEpoch);

    /// <summary>Consecutive days from 2026-11-01 with the given pains.</summary>
    private static CheckIn[] Consecutive(params int[] pains) =>
        pains.Select((pain, i) => Logged(new DateOnly(2026, 11, 1).AddDays(i).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), pain)).ToArray();

    private static RecoveryTrend Trend(IReadOnlyList<CheckIn> days, TreatmentPlan? plan = null) => RecoveryTrends.Compute(days, plan, NoLefs);

    private static DateOnly D(string day) => DateOnly.Parse(day, CultureInfo.InvariantCulture);

    // --- Rolling means ---

    [Fact]
    public void A_missed_day_is_a_gap_not_a_zero_in_the_rolling_mean()
    {
        // 01: 6, 02: 4, 03: missed, 04: 2.
        // Rolling3 on 04 = days 02..04 that were logged = (4 + 2) / 2 = 3.00 (a zero for 03 would give 2.00).
        // Rolling7 on 04 = (6 + 4 + 2) / 3 = 4.00.
        var trend = Trend([Logged("2026-11-01", 6), Logged("2026-11-02", 4), Logged("2026-11-04", 2)]);

        Assert.Equal([D("2026-11-01"), D("2026-11-02"), D("2026-11-04")], trend.Days.Select(d => d.Day));
        var last = trend.Days[^1];
        Assert.Equal(3.00m, last.Rolling3);
        Assert.Equal(4.00m, last.Rolling7);
        Assert.Equal(5.00m, trend.Days[1].Rolling3); // (6 + 4) / 2
        Assert.Equal(6m, trend.Days[0].Rolling3);
    }

    [Fact]
    public void The_rolling_mean_is_rounded_to_two_decimals()
    {
        // (5 + 6 + 6) / 3 = 5.666... -> 5.67
        var trend = Trend(Consecutive(5, 6, 6));

        Assert.Equal(5.67m, trend.Days[^1].Rolling3);
        Assert.Equal(5.67m, trend.Days[^1].Rolling7);
    }

    [Fact]
    public void The_seven_day_mean_forgets_a_day_eight_calendar_days_back()
    {
        // Window for 11-08 is 11-02..11-08, so 11-01's pain of 9 is out: mean = 1.
        var trend = Trend([Logged("2026-11-01", 9), Logged("2026-11-08", 1)]);

        Assert.Equal(1m, trend.Days[^1].Rolling7);
        Assert.Equal(1m, trend.Days[^1].Rolling3);
    }

    [Fact]
    public void Days_logged_out_of_order_are_charted_in_day_order()
    {
        var trend = Trend([Logged("2026-11-03", 4), Logged("2026-11-01", 6), Logged("2026-11-02", 5)]);

        Assert.Equal([6, 5, 4], trend.Days.Select(d => d.PainLevel));
        Assert.Equal(D("2026-11-01"), trend.Days[0].Day);
    }

    // --- Slope ---

    [Fact]
    public void Pain_falling_a_point_a_day_has_a_slope_of_minus_one()
    {
        // 8, 7, 6, 5 on consecutive days: a straight line of -1 per day.
        Assert.Equal(-1.000m, Trend(Consecutive(8, 7, 6, 5)).SlopePerDay14);
    }

    [Fact]
    public void A_missed_day_keeps_its_place_on_the_day_axis_of_the_slope()
    {
        // Days 0, 2, 3 with pain 8, 6, 5. Mean x = 5/3, mean y = 19/3.
        // dx = -5/3, 1/3, 4/3; dy = 5/3, -1/3, -4/3.
        // Sum dx*dy = (-25 - 1 - 16) / 9 = -42/9; sum dx^2 = (25 + 1 + 16) / 9 = 42/9; slope = -1.
        // Squeezing the gap out (x = 0, 1, 2) would wrongly give -1.5.
        var trend = Trend([Logged("2026-11-01", 8), Logged("2026-11-03", 6), Logged("2026-11-04", 5)]);

        Assert.Equal(-1.000m, trend.SlopePerDay14);
    }

    [Fact]
    public void The_slope_is_rounded_to_three_decimals()
    {
        // x = -3..3 about the centre (sum dx^2 = 28), pain 8, 8, 7, 7, 6, 5, 5.
        // Sum dx*y = -24 - 16 - 7 + 0 + 6 + 10 + 15 = -16; slope = -16/28 = -0.5714... -> -0.571.
        Assert.Equal(-0.571m, Trend(Consecutive(8, 8, 7, 7, 6, 5, 5)).SlopePerDay14);
    }

    [Fact]
    public void The_slope_looks_only_at_the_last_fourteen_calendar_days()
    {
        // Last day 11-04, window 10-22..11-04: a pain of 0 on 10-21 is outside and would flatten the line.
        var days = Consecutive(8, 7, 6, 5).Append(Logged("2026-10-21", 0)).ToArray();
        Assert.Equal(-1.000m, Trend(days).SlopePerDay14);

        // 10-22 is the first day inside the window. Days from 11-01: x = -10, 0, 1, 2, 3; pain 10, 8, 7, 6, 5.
        // Mean x = -0.8, mean y = 7.2; sum dx*dy = -25.76 + 0.64 - 0.36 - 3.36 - 8.36 = -37.2;
        // sum dx^2 = 84.64 + 0.64 + 3.24 + 7.84 + 14.44 = 110.8; slope = -0.3357... -> -0.336.
        var withEdge = Consecutive(8, 7, 6, 5).Append(Logged("2026-10-22", 10)).ToArray();
        Assert.Equal(-0.336m, Trend(withEdge).SlopePerDay14);
    }

    [Fact]
    public void One_day_in_the_fortnight_is_not_enough_for_a_slope()
    {
        Assert.Null(Trend([Logged("2026-10-01", 8), Logged("2026-11-01", 2)]).SlopePerDay14);
    }

    // --- Baseline, current, direction ---

    [Fact]
    public void Pain_falling_from_a_high_baseline_by_three_points_is_improving()
    {
        // Baseline (8 + 8 + 8) / 3 = 8 -> threshold 3. Current (6 + 5 + 4) / 3 = 5. Change -3 reaches the threshold.
        var trend = Trend(Consecutive(8, 8, 8, 6, 5, 4));

        Assert.Equal(8m, trend.BaselinePain);
        Assert.Equal(5m, trend.CurrentPain);
        Assert.Equal(-3m, trend.ChangeFromBaseline);
        Assert.Equal(3, trend.MeaningfulChangeThreshold);
        Assert.Equal(TrendDirection.Improving, trend.Direction);
        Assert.True(trend.MeaningfulChange);
        Assert.Equal("", trend.Note);
    }

    [Fact]
    public void A_one_point_fall_from_a_moderate_baseline_is_stable()
    {
        // Baseline 6 -> threshold 2. Current 5, change -1: below the threshold.
        var trend = Trend(Consecutive(6, 6, 6, 5, 5, 5));

        Assert.Equal(-1m, trend.ChangeFromBaseline);
        Assert.Equal(2, trend.MeaningfulChangeThreshold);
        Assert.Equal(TrendDirection.Stable, trend.Direction);
        Assert.False(trend.MeaningfulChange);
    }

    [Fact]
    public void A_one_point_rise_from_a_low_baseline_is_worsening()
    {
        // Baseline 3 -> threshold 1. Current 4, change +1.
        var trend = Trend(Consecutive(3, 3, 3, 4, 4, 4));

        Assert.Equal(1m, trend.ChangeFromBaseline);
        Assert.Equal(TrendDirection.Worsening, trend.Direction);
        Assert.True(trend.MeaningfulChange);
    }

    [Theory]
    [InlineData(4, TrendDirection.Improving)] // baseline 4 -> threshold 1: a one-point fall counts
    [InlineData(5, TrendDirection.Stable)] // baseline 5 -> threshold 2: the same one-point fall does not
    public void The_threshold_steps_up_from_one_to_two_points_between_baseline_four_and_five(int baseline, TrendDirection expected)
    {
        var trend = Trend(Consecutive(baseline, baseline, baseline, baseline - 1, baseline - 1, baseline - 1));

        Assert.Equal(-1m, trend.ChangeFromBaseline);
        Assert.Equal(expected, trend.Direction);
    }

    [Theory]
    [InlineData(0.0, 1)]
    [InlineData(4.33, 1)]
    [InlineData(4.5, 2)] // rounds half away from zero to 5
    [InlineData(4.67, 2)]
    [InlineData(7.33, 2)]
    [InlineData(7.5, 3)]
    [InlineData(10.0, 3)]
    public void The_meaningful_change_threshold_follows_the_rounded_baseline(double baseline, int threshold)
    {
        Assert.Equal(threshold, RecoveryTrends.MeaningfulChangeThreshold((decimal)baseline));
    }

    [Fact]
    public void Baseline_and_current_overlap_when_only_four_days_are_logged()
    {
        // 8, 6, 4, 2: baseline (8 + 6 + 4) / 3 = 6, current (6 + 4 + 2) / 3 = 4, change -2, threshold 2.
        var trend = Trend(Consecutive(8, 6, 4, 2));

        Assert.Equal(6m, trend.BaselinePain);
        Assert.Equal(4m, trend.CurrentPain);
        Assert.Equal(TrendDirection.Improving, trend.Direction);
    }

    [Fact]
    public void Three_check_ins_are_not_enough_to_tell_a_direction()
    {
        // Baseline and current are both the mean of what there is: (9 + 4 + 1) / 3 = 4.67.
        var trend = Trend(Consecutive(9, 4, 1));

        Assert.Equal(4.67m, trend.BaselinePain);
        Assert.Equal(4.67m, trend.CurrentPain);
        Assert.Null(trend.Direction);
        Assert.False(trend.MeaningfulChange);
        Assert.Equal("Not enough check-ins yet to tell a direction (needs 4).", trend.Note);
    }

    [Fact]
    public void With_two_days_the_baseline_is_their_mean()
    {
        // (6 + 3) / 2 = 4.5, which rounds to 5 for the threshold -> 2 points.
        var trend = Trend(Consecutive(6, 3));

        Assert.Equal(4.5m, trend.BaselinePain);
        Assert.Equal(4.5m, trend.CurrentPain);
        Assert.Equal(0m, trend.ChangeFromBaseline);
        Assert.Equal(2, trend.MeaningfulChangeThreshold);
    }

    // --- Weeks ---

    [Fact]
    public void Sunday_and_Monday_fall_in_different_iso_weeks()
    {
        // 2026-11-01 is a Sunday (W44, from 10-26); 2026-11-02 is a Monday (W45).
        var trend = Trend([Logged("2026-10-31", 4), Logged("2026-11-01", 6), Logged("2026-11-02", 3)]);

        Assert.Equal(2, trend.Weeks.Count);
        Assert.Equal((2026, 44, D("2026-10-26"), 2), (trend.Weeks[0].IsoYear, trend.Weeks[0].IsoWeek, trend.Weeks[0].WeekStart, trend.Weeks[0].DaysLogged));
        Assert.Equal(5m, trend.Weeks[0].MeanPain);
        Assert.Equal((2026, 45, D("2026-11-02"), 1), (trend.Weeks[1].IsoYear, trend.Weeks[1].IsoWeek, trend.Weeks[1].WeekStart, trend.Weeks[1].DaysLogged));
    }

    [Fact]
    public void New_Years_Day_2027_belongs_to_the_last_iso_week_of_2026()
    {
        // 2026 has 53 ISO weeks: W53 runs Mon 2026-12-28 to Sun 2027-01-03. 2027-W01 starts Mon 2027-01-04.
        var trend = Trend(
        [
            Logged("2026-12-30", 6, rest: 2.5m, ice: 10, nsaid: true, swelling: Swelling.Mild),
            Logged("2026-12-31", 4, heat: 15, swellingAtAnkle: true),
            Logged("2027-01-01", 5, rest: 1m),
            Logged("2027-01-04", 3, stretching: 20),
        ]);

        Assert.Equal(2, trend.Weeks.Count);
        // W53: pain (6 + 4 + 5) / 3 = 5, max 6, swelling on 12-30 (calf) and 12-31 (ankle only), rest 2.5 + 1.
        Assert.Equal(
            new WeekSummary(2026, 53, D("2026-12-28"), 5m, 6, 3, 2, 3.5m, 10, 15, 0, 1, null),
            trend.Weeks[0]);
        Assert.Equal(
            new WeekSummary(2027, 1, D("2027-01-04"), 3m, 3, 1, 0, 0m, 0, 0, 20, 0, null),
            trend.Weeks[1]);
    }

    // --- Adherence ---

    private static readonly TreatmentPlan Plan = new(RestHoursPerDay: 8m, IceMinutesPerDay: 20, HeatMinutesPerDay: 0, StretchingMinutesPerDay: 10);

    private static CheckIn[] AdherenceDays =>
    [
        Logged("2026-10-31", 5, rest: 8m, ice: 40, stretching: 0), // Saturday, W44
        Logged("2026-11-01", 5, rest: 4m, ice: 0, stretching: 10), // Sunday, W44
        Logged("2026-11-02", 5, rest: 10m, ice: 20, stretching: 5), // Monday, W45
    ];

    [Fact]
    public void Overdoing_ice_one_day_does_not_make_up_for_a_missed_day()
    {
        // Rest: min(8,8) + min(4,8) + min(10,8) = 20 of 3 x 8 = 24 -> 83.33 -> 83.3%.
        // Ice: min(40,20) + 0 + 20 = 40 of 60 -> 66.7% (uncapped it would read 100%).
        // Heat: no target -> null. Stretching: 0 + 10 + 5 = 15 of 30 -> 50.0%.
        var trend = Trend(AdherenceDays, Plan);

        Assert.Equal(new AdherenceFigures(83.3m, 66.7m, null, 50.0m), trend.Adherence!.PerTreatment);
        // The mean over the treatments the plan sets: (83.3 + 66.7 + 50.0) / 3.
        Assert.Equal(66.7m, trend.Adherence.Overall);
    }

    [Fact]
    public void Each_week_has_its_own_adherence()
    {
        // W44: rest (8 + 4) / 16 = 75%, ice 20 / 40 = 50%, stretching 10 / 20 = 50%.
        // W45: rest 8 / 8 = 100%, ice 20 / 20 = 100%, stretching 5 / 10 = 50%.
        var trend = Trend(AdherenceDays, Plan);

        Assert.Equal(new AdherenceFigures(75.0m, 50.0m, null, 50.0m), trend.Weeks[0].Adherence);
        Assert.Equal(new AdherenceFigures(100.0m, 100.0m, null, 50.0m), trend.Weeks[1].Adherence);
    }

    [Fact]
    public void Without_a_plan_there_is_no_adherence()
    {
        var trend = Trend(AdherenceDays);

        Assert.Null(trend.Adherence);
        Assert.All(trend.Weeks, w => Assert.Null(w.Adherence));
    }

    // --- Treatment response ---

    [Fact]
    public void Two_days_with_ice_are_not_enough_to_say_anything_about_ice()
    {
        // Four consecutive days, ice on the first two. Pairs (d, d+1): 01->02 with, 02->03 with, 03->04 without.
        // The last day has no next day, so it is in neither group.
        var trend = Trend(
        [
            Logged("2026-11-01", 6, ice: 15),
            Logged("2026-11-02", 5, ice: 15),
            Logged("2026-11-03", 5),
            Logged("2026-11-04", 4),
        ]);

        var ice = trend.TreatmentResponse.Single(r => r.Treatment == Treatment.Ice);
        Assert.Equal((2, 1, false), (ice.DaysWith, ice.DaysWithout, ice.EnoughData));
        Assert.Null(ice.MeanNextDayPainChangeWith);
        Assert.Null(ice.MeanNextDayPainChangeWithout);
        Assert.Contains("not enough data: needs at least 3 days with and 3 without", ice.Interpretation, StringComparison.OrdinalIgnoreCase);
    }

    // Pains 8, 6, 6, 5, 5, 3, 4 on 11-01..11-07, then a gap, then 11-09.
    // Next-day changes: 01->02 -2, 02->03 0, 03->04 -1, 04->05 0, 05->06 -2, 06->07 +1; 07 and 09 have no next day.
    // Ice on 01, 03, 05 (and on 07 and 09, which have no next day): with = (-2 - 1 - 2) / 3 = -1.67, without = (0 + 0 + 1) / 3 = +0.33.
    // Rest 8, 7, 9, 0, 8, 2, 8, -, 8: against a plan of 8 h the "with" days are again 01, 03, 05.
    private static CheckIn[] ResponseDays =>
    [
        Logged("2026-11-01", 8, ice: 20, rest: 8m),
        Logged("2026-11-02", 6, rest: 7m),
        Logged("2026-11-03", 6, ice: 20, rest: 9m),
        Logged("2026-11-04", 5, rest: 0m),
        Logged("2026-11-05", 5, ice: 20, rest: 8m),
        Logged("2026-11-06", 3, rest: 2m),
        Logged("2026-11-07", 4, ice: 20, rest: 8m),
        Logged("2026-11-09", 2, ice: 20, rest: 8m),
    ];

    [Fact]
    public void Next_day_pain_after_ice_is_compared_with_days_without_as_an_association()
    {
        var ice = Trend(ResponseDays).TreatmentResponse.Single(r => r.Treatment == Treatment.Ice);

        Assert.Equal((3, 3, true), (ice.DaysWith, ice.DaysWithout, ice.EnoughData));
        Assert.Equal(-1.67m, ice.MeanNextDayPainChangeWith);
        Assert.Equal(0.33m, ice.MeanNextDayPainChangeWithout);
        Assert.Equal(
            "On days with ice, next-day pain changed by -1.67 on average vs +0.33 without. " +
            "This is an association in your own records, not proof of cause.",
            ice.Interpretation);
    }

    [Fact]
    public void Rest_counts_only_when_it_reaches_the_plans_target()
    {
        var plan = new TreatmentPlan(8m, 0, 0, 0);

        var rest = Trend(ResponseDays, plan).TreatmentResponse.Single(r => r.Treatment == Treatment.Rest);

        Assert.Equal((3, 3, true), (rest.DaysWith, rest.DaysWithout, rest.EnoughData));
        Assert.Equal(-1.67m, rest.MeanNextDayPainChangeWith);
        Assert.Equal(0.33m, rest.MeanNextDayPainChangeWithout);
        Assert.Contains("not proof of cause", rest.Interpretation, StringComparison.Ordinal);
    }

    [Fact]
    public void Without_a_plan_any_rest_counts_as_rest()
    {
        // Rest > 0 on 01, 02, 03, 05, 06 (with: 5); only 04 had none (without: 1).
        var rest = Trend(ResponseDays).TreatmentResponse.Single(r => r.Treatment == Treatment.Rest);

        Assert.Equal((5, 1, false), (rest.DaysWith, rest.DaysWithout, rest.EnoughData));
    }

    [Fact]
    public void Every_treatment_has_a_response_entry()
    {
        var treatments = Trend(ResponseDays).TreatmentResponse.Select(r => r.Treatment);

        Assert.Equal([Treatment.Ice, Treatment.Heat, Treatment.Stretching, Treatment.Rest, Treatment.Nsaid], treatments);
    }

    // --- Milestones ---

    [Fact]
    public void A_missed_day_breaks_a_pain_free_streak()
    {
        // Baseline (8 + 6 + 7) / 3 = 7, half is 3.5: 11-04 (4) is not there yet, 11-05 (2) is -> 4 days after 11-01.
        // Pain-free: 06, 07 (2 days), 08 missed, 09, 10, 11 (3 days). Bridging the gap would wrongly give 5.
        var trend = Trend(
        [
            Logged("2026-11-01", 8),
            Logged("2026-11-02", 6),
            Logged("2026-11-03", 7),
            Logged("2026-11-04", 4),
            Logged("2026-11-05", 2),
            Logged("2026-11-06", 0),
            Logged("2026-11-07", 0),
            Logged("2026-11-09", 0),
            Logged("2026-11-10", 0),
            Logged("2026-11-11", 0),
        ]);

        Assert.Equal(new Milestones(D("2026-11-05"), 4, 3), trend.Milestones);
    }

    [Fact]
    public void Pain_that_never_halves_has_no_halving_milestone()
    {
        // Baseline 7, half 3.5; lowest pain 4.
        Assert.Equal(new Milestones(null, null, 0), Trend(Consecutive(7, 7, 7, 5, 4)).Milestones);
    }

    [Fact]
    public void A_pain_free_baseline_cannot_be_halved()
    {
        // Baseline 0: halving means nothing. Three logged pain-free days in a row.
        Assert.Equal(new Milestones(D("2026-11-01"), null, 3), Trend(Consecutive(0, 0, 0)).Milestones);
    }

    // --- LEFS ---

    [Fact]
    public void Lefs_adds_up_twenty_answers()
    {
        // Ten 4s and ten 1s: 40 + 10 = 50.
        var answers = Enumerable.Repeat(4, 10).Concat(Enumerable.Repeat(1, 10)).ToArray();

        Assert.Equal(50, Lefs.Score(answers));
        Assert.Equal(0, Lefs.Score(new int[20]));
        Assert.Equal(80, Lefs.Score(Enumerable.Repeat(4, 20).ToArray()));
    }

    public static TheoryData<string, int[]> BadLefsAnswers => new()
    {
        { "nineteen answers", Enumerable.Repeat(2, 19).ToArray() },
        { "twenty-one answers", Enumerable.Repeat(2, 21).ToArray() },
        { "no answers", [] },
        { "an answer of 5", Enumerable.Repeat(2, 19).Append(5).ToArray() },
        { "an answer of -1", Enumerable.Repeat(2, 19).Prepend(-1).ToArray() },
    };

    [Theory]
    [MemberData(nameof(BadLefsAnswers))]
    public void Lefs_refuses_a_questionnaire_with(string problem, int[] answers)
    {
        Assert.NotNull(problem);
        Assert.Throws<ArgumentException>(() => Lefs.Score(answers));
    }

    [Fact]
    public void A_lefs_gain_of_nine_points_or_more_is_a_meaningful_improvement()
    {
        // Scores arrive unsorted; 11-01: 40 -> 11-15: 50 is +10, at least the MCID of 9.
        var trend = RecoveryTrends.Compute([], null, [new(D("2026-11-15"), 50), new(D("2026-11-01"), 40), new(D("2026-11-08"), 45)]);

        Assert.Equal([40, 45, 50], trend.Lefs!.Scores.Select(s => s.Total));
        Assert.Equal(10, trend.Lefs.ChangeFromFirst);
        Assert.True(trend.Lefs.MeaningfulImprovement);
    }

    [Fact]
    public void A_lefs_gain_of_eight_points_is_not_yet_meaningful()
    {
        var trend = RecoveryTrends.Compute([], null, [new(D("2026-11-01"), 40), new(D("2026-11-08"), 48)]);

        Assert.Equal(8, trend.Lefs!.ChangeFromFirst);
        Assert.False(trend.Lefs.MeaningfulImprovement);
    }

    [Fact]
    public void A_single_lefs_score_has_no_change_yet()
    {
        var trend = RecoveryTrends.Compute([], null, [new(D("2026-11-01"), 40)]);

        Assert.Null(trend.Lefs!.ChangeFromFirst);
        Assert.False(trend.Lefs.MeaningfulImprovement);
    }

    // --- Within ---

    [Fact]
    public void A_date_range_narrows_the_days_and_weeks_but_not_the_whole_episode_figures()
    {
        // W44 (10-26..11-01): 10-30, 10-31, 11-01. W45 (11-02..11-08): 11-02, 11-03. W46 (from 11-09): 11-09.
        var whole = Trend(
        [
            Logged("2026-10-30", 8),
            Logged("2026-10-31", 8),
            Logged("2026-11-01", 8),
            Logged("2026-11-02", 6),
            Logged("2026-11-03", 5),
            Logged("2026-11-09", 4),
        ]);

        var window = whole.Within(D("2026-11-01"), D("2026-11-03"));

        Assert.Equal([D("2026-11-01"), D("2026-11-02"), D("2026-11-03")], window.Days.Select(d => d.Day));
        // W44 overlaps the range on its Sunday, so it stays; W46 starts after the range.
        Assert.Equal([44, 45], window.Weeks.Select(w => w.IsoWeek));
        Assert.Equal(8m, window.BaselinePain);
        Assert.Equal(whole.CurrentPain, window.CurrentPain);
        Assert.Equal(whole.Direction, window.Direction);
        Assert.Equal(whole.SlopePerDay14, window.SlopePerDay14);
        Assert.Same(whole.TreatmentResponse, window.TreatmentResponse);
    }

    [Fact]
    public void An_open_ended_range_keeps_everything_on_the_open_side()
    {
        var whole = Trend([Logged("2026-10-30", 8), Logged("2026-11-02", 6), Logged("2026-11-09", 4)]);

        Assert.Equal([D("2026-11-02"), D("2026-11-09")], whole.Within(D("2026-11-02"), null).Days.Select(d => d.Day));
        Assert.Equal([D("2026-10-30")], whole.Within(null, D("2026-11-01")).Days.Select(d => d.Day));
        Assert.Equal(3, whole.Within(null, null).Days.Count);
    }

    // --- Empty ---

    [Fact]
    public void An_episode_with_no_check_ins_has_an_empty_trend()
    {
        var trend = RecoveryTrends.Compute([], Plan, NoLefs);

        Assert.Empty(trend.Days);
        Assert.Null(trend.BaselinePain);
        Assert.Null(trend.CurrentPain);
        Assert.Null(trend.ChangeFromBaseline);
        Assert.Null(trend.Direction);
        Assert.False(trend.MeaningfulChange);
        Assert.Null(trend.SlopePerDay14);
        Assert.Empty(trend.Weeks);
        Assert.Null(trend.Adherence);
        Assert.All(trend.TreatmentResponse, r => Assert.False(r.EnoughData));
        Assert.Equal(new Milestones(null, null, 0), trend.Milestones);
        Assert.Null(trend.Lefs);
        Assert.Equal("Not enough check-ins yet to tell a direction (needs 4).", trend.Note);
        Assert.Empty(trend.Within(D("2026-11-01"), D("2026-11-30")).Days);
    }
}
