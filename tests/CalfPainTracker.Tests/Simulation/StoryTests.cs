using CalfPainTracker.CheckIns;
using CalfPainTracker.Simulator.Stories;

namespace CalfPainTracker.Tests.Simulation;

/// <summary>The shape of each story, over many seeds: what a physiotherapist would expect to see in its diary.</summary>
public sealed class StoryTests
{
    private const int SixWeeks = 42;
    private static readonly DateOnly Onset = new(2026, 9, 1);
    private static readonly IEnumerable<int> Seeds = Enumerable.Range(1, 25);

    private sealed record Told(Story Story, IReadOnlyList<PlannedCheckIn> Sent)
    {
        /// <summary>Each logged day as it stands after corrections, by day number (1 = onset).</summary>
        public SortedDictionary<int, LogCheckInRequest> Days { get; } = new(Sent
            .GroupBy(c => c.Day.DayNumber - Onset.DayNumber + 1)
            .ToDictionary(g => g.Key, g => g.Last().Request));

        public double MeanPain(int from, int to) => Days.Where(d => d.Key >= from && d.Key <= to).Average(d => d.Value.PainLevel!.Value);
    }

    private static Told Tell(StoryKind kind, int seed, int days = SixWeeks)
    {
        var random = new Random(seed);
        var story = Story.Create(kind, days, random);
        return new Told(story, PatientDiary.Write(story, Onset, days, random));
    }

    private static decimal Difference(LogCheckInRequest day) => day.CalfCircumferenceCm!.Affected!.Value - day.CalfCircumferenceCm.Other!.Value;

    [Theory]
    [InlineData(StoryKind.CalfStrain)]
    [InlineData(StoryKind.MedialGastrocnemiusStrain)]
    [InlineData(StoryKind.PlantarisRupture)]
    public void A_strain_starts_painful_and_settles_within_four_weeks(StoryKind kind)
    {
        foreach (var told in Seeds.Select(seed => Tell(kind, seed)))
        {
            var firstDays = told.MeanPain(1, 3);
            var lastWeek = told.MeanPain(36, 42);
            Assert.True(firstDays >= 4, $"first days {firstDays:0.0}");
            Assert.True(lastWeek <= 2.5, $"last week {lastWeek:0.0}");
            Assert.True(firstDays - lastWeek >= 3, $"{firstDays:0.0} to {lastWeek:0.0}");
            Assert.NotEqual("none", told.Days.First().Value.Swelling);
        }
    }

    [Fact]
    public void A_plateauing_strain_never_drops_below_4_and_stops_improving_after_day_10()
    {
        foreach (var told in Seeds.Select(seed => Tell(StoryKind.PlateauingStrain, seed)))
        {
            Assert.All(told.Sent, c => Assert.True(c.Request.PainLevel >= 4, $"{c.Day}: {c.Request.PainLevel}"));
            var afterTenDays = told.MeanPain(MuscleStrain.PlateauFrom, MuscleStrain.PlateauFrom + 6);
            var lastWeek = told.MeanPain(36, 42);
            Assert.True(afterTenDays - lastWeek < 1, $"{afterTenDays:0.0} to {lastWeek:0.0}");
        }
    }

    [Fact]
    public void Achilles_tendinopathy_eases_slowly_over_six_weeks()
    {
        var drops = Seeds.Select(seed => Tell(StoryKind.AchillesTendinopathy, seed)).Select(t => t.MeanPain(1, 7) - t.MeanPain(36, 42)).ToList();
        var strainDrops = Seeds.Select(seed => Tell(StoryKind.CalfStrain, seed)).Select(t => t.MeanPain(1, 7) - t.MeanPain(36, 42)).ToList();

        Assert.InRange(drops.Average(), 0.5, 2.5);
        Assert.True(drops.Average() < strainDrops.Average() - 1.5, $"tendinopathy {drops.Average():0.0}, strain {strainDrops.Average():0.0}");
    }

    [Fact]
    public void Cramps_come_and_go_among_days_of_little_pain()
    {
        foreach (var told in Seeds.Select(seed => Tell(StoryKind.Cramps, seed)))
        {
            var pains = told.Days.Values.Select(d => d.PainLevel!.Value).ToList();
            Assert.InRange(pains.Count(p => p >= 4), 2, pains.Count / 2);
            Assert.True(pains.Count(p => p <= 2) >= pains.Count / 2);
            Assert.All(told.Days.Values, d => Assert.Equal("none", d.Swelling));
        }
    }

    [Fact]
    public void The_patient_who_stops_checking_in_has_no_days_after_their_last()
    {
        foreach (var told in Seeds.Select(seed => Tell(StoryKind.StopsCheckingIn, seed)))
        {
            var lastDay = told.Story.LastDay!.Value;
            Assert.InRange(lastDay, 16, 33);
            Assert.True(told.Days.Keys.Max() <= lastDay);
            Assert.True(told.Days.Keys.Max() >= lastDay - 3, "checked in until shortly before stopping");
        }
    }

    [Fact]
    public void The_post_operative_patient_has_a_swollen_warm_calf_3_5_cm_larger_on_day_9_and_none_before()
    {
        foreach (var told in Seeds.Select(seed => Tell(StoryKind.PostOperativeClot, seed)))
        {
            Assert.True(told.Story.RiskFactors.BedriddenOrRecentSurgery);
            var day9 = Assert.Single(told.Sent, c => c.Day == Onset.AddDays(PostOperativeClot.ClotDay - 1));
            Assert.Equal(Submission.OnTheDay, day9.Submission);
            Assert.Equal("moderate", day9.Request.Swelling);
            Assert.Equal(3.5m, Difference(day9.Request));
            Assert.Contains("warmth", day9.Request.Symptoms!);
            Assert.All(told.Sent.Where(c => c.Day < day9.Day), c =>
            {
                Assert.Equal("none", c.Request.Swelling);
                Assert.False(c.Request.SwellingAtAnkle);
                Assert.Empty(c.Request.Symptoms!);
                Assert.True(Difference(c.Request) < 3);
            });
        }
    }

    [Fact]
    public void The_clot_that_reaches_the_lungs_swells_on_day_6_is_breathless_on_day_8_and_is_silent_in_hospital()
    {
        foreach (var told in Seeds.Select(seed => Tell(StoryKind.ClotToLungs, seed)))
        {
            var clot = told.Days[ClotToLungs.ClotDay];
            Assert.Equal("moderate", clot.Swelling);
            Assert.Contains("redness", clot.Symptoms!);
            Assert.DoesNotContain(told.Days.Where(d => d.Key < ClotToLungs.ClotDay), d => d.Value.Swelling != "none" || d.Value.Symptoms!.Length > 0);
            var breathless = told.Days[ClotToLungs.BreathlessDay];
            Assert.Contains("shortness-of-breath", breathless.Symptoms!);
            Assert.Contains("chest-pain", breathless.Symptoms!);
            Assert.DoesNotContain(told.Days.Keys, d => d > ClotToLungs.BreathlessDay && d <= ClotToLungs.BreathlessDay + ClotToLungs.DaysInHospital);
            Assert.True(told.Days.Keys.Max() > ClotToLungs.BreathlessDay + ClotToLungs.DaysInHospital, "checks in again after hospital");
        }
    }

    [Theory]
    [InlineData("ice")]
    [InlineData("heat")]
    [InlineData("stretching")]
    public void After_a_day_with_a_treatment_the_next_days_pain_falls_a_little_more_than_after_a_day_without(string treatment)
    {
        var changes = Enumerable.Range(1, 200)
            .Select(seed => Tell(StoryKind.CalfStrain, seed).Days.ToList())
            .SelectMany(days => days.Zip(days.Skip(1)))
            .Where(pair => pair.Second.Key == pair.First.Key + 1)
            .Select(pair => (With: Minutes(pair.First.Value, treatment) > 0, Change: pair.Second.Value.PainLevel!.Value - pair.First.Value.PainLevel!.Value))
            .ToList();

        var with = changes.Where(c => c.With).Average(c => c.Change);
        var without = changes.Where(c => !c.With).Average(c => c.Change);
        Assert.InRange(without - with, 0.1, 1.0);
    }

    private static int Minutes(LogCheckInRequest day, string treatment) => treatment switch
    {
        "ice" => day.IceMinutes!.Value,
        "heat" => day.HeatMinutes!.Value,
        _ => day.StretchingMinutes!.Value,
    };
}
