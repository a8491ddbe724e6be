using CalfPainTracker.Alerts;
using CalfPainTracker.CheckIns;
using CalfPainTracker.Episodes;
using static CalfPainTracker.Tests.Alerts.PatientStories;

namespace CalfPainTracker.Tests.Alerts;

public sealed class ClinicalRulesTests
{
    private static AlertRule[] Rules(IReadOnlyList<Finding> findings) => findings.Select(f => f.Rule).Order().ToArray();

    [Fact]
    public void A_calf_strain_that_settles_day_by_day_raises_nothing()
    {
        var days = new[] { Day(1, 6), Day(2, 5), Day(3, 5), Day(4, 4), Day(5, 3), Day(6, 2), Day(7, 1) };

        for (var i = 1; i <= days.Length; i++)
        {
            Assert.Empty(Findings(days[..i]));
        }
    }

    [Fact]
    public void Pain_of_4_or_more_on_3_check_ins_without_a_point_of_improvement_is_persistent_pain_on_the_third_day_not_the_second()
    {
        Assert.Empty(Findings(Day(1, 5), Day(2, 5)));

        var finding = Assert.Single(Findings(Day(1, 5), Day(2, 5), Day(3, 5)));

        Assert.Equal(AlertRule.PersistentPain, finding.Rule);
        Assert.Equal(Severity.Advice, finding.Severity);
        Assert.Equal([Onset.AddDays(1), Onset.AddDays(2), Onset.AddDays(3)], finding.Evidence);
        Assert.Contains("seed article", finding.Source, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(new[] { 5, 5, 4 }, false)] // improved by 1 point: on its way
    [InlineData(new[] { 6, 7, 6 }, true)]  // up and down, no better
    [InlineData(new[] { 4, 4, 3 }, false)] // dipped below 4
    [InlineData(new[] { 3, 4, 4 }, false)] // started below 4
    [InlineData(new[] { 4, 4, 4 }, true)]  // the threshold itself counts
    public void Persistent_pain_boundaries(int[] pains, bool raised)
    {
        var findings = Findings(pains.Select((p, i) => Day(i + 1, p)).ToArray());

        Assert.Equal(raised, findings.Any(f => f.Rule == AlertRule.PersistentPain));
    }

    [Fact]
    public void Unrelenting_severe_pain_is_urgent()
    {
        var finding = Assert.Single(Findings(Day(1, 8), Day(2, 9), Day(3, 8)), f => f.Rule == AlertRule.PersistentPain);

        Assert.Equal(Severity.Urgent, finding.Severity);
    }

    [Fact]
    public void The_persistent_pain_window_is_configurable_per_suspected_cause()
    {
        var settings = new RuleSettings { PersistentPainByCause = { [SuspectedCause.AchillesTendinopathy] = new PersistentPainThreshold(Days: 5) } };
        var days = new[] { Day(1, 5), Day(2, 5), Day(3, 5) };

        var pains = days.Select(DayPain.Of).ToList();

        Assert.Empty(ClinicalRules.Evaluate(SuspectedCause.AchillesTendinopathy, RiskFactors.None, days[^1], pains, settings));
        Assert.NotEmpty(ClinicalRules.Evaluate(SuspectedCause.CalfStrain, RiskFactors.None, days[^1], pains, settings));
    }

    [Fact]
    public void Given_a_post_operative_patient_with_a_3_5_cm_larger_calf_when_she_logs_swelling_then_an_urgent_clot_alert_shows_her_partial_wells_score()
    {
        var risk = new RiskFactors(ActiveCancer: false, RecentImmobilisation: false, BedriddenOrRecentSurgery: true, PreviousDvt: false);

        var findings = Findings(SuspectedCause.CalfStrain, risk, Day(9, 5, Swelling.Moderate, affectedCm: 39.5m, otherCm: 36m));

        var clot = Assert.Single(findings, f => f.Rule == AlertRule.PossibleClot);
        Assert.Equal(Severity.Urgent, clot.Severity);
        Assert.Equal(2, clot.Wells!.Score);
        Assert.Contains("calf swelling 3.5 cm larger than the other side", clot.Wells.PatientItems);
        Assert.Equal(4, clot.Wells.ItemsForClinician.Count);
        Assert.Contains("today", clot.Advice, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(2.9, false)]
    [InlineData(3.0, true)]
    [InlineData(3.1, true)]
    public void A_calf_difference_of_3_cm_is_the_clot_threshold(double difference, bool clot)
    {
        var findings = Findings(Day(4, 3, Swelling.Mild, affectedCm: 36m + (decimal)difference, otherCm: 36m));

        Assert.Equal(clot, findings.Any(f => f.Rule == AlertRule.PossibleClot));
        Assert.Contains(findings, f => f.Rule == AlertRule.Swelling);
    }

    [Theory]
    [InlineData(Symptom.Redness)]
    [InlineData(Symptom.Warmth)]
    public void Swelling_with_redness_or_warmth_is_a_possible_clot(Symptom sign)
    {
        Assert.Contains(Findings(Day(3, 4, Swelling.Mild, symptoms: sign)), f => f.Rule == AlertRule.PossibleClot);
        Assert.DoesNotContain(Findings(Day(3, 4, Swelling.None, symptoms: sign)), f => f.Rule == AlertRule.PossibleClot);
    }

    [Fact]
    public void Swelling_in_a_patient_with_a_previous_clot_is_a_possible_clot()
    {
        var risk = RiskFactors.None with { PreviousDvt = true };

        Assert.Contains(Findings(SuspectedCause.CalfStrain, risk, Day(2, 3, ankle: true)), f => f.Rule == AlertRule.PossibleClot);
        Assert.DoesNotContain(Findings(SuspectedCause.CalfStrain, RiskFactors.None, Day(2, 3, ankle: true)), f => f.Rule == AlertRule.PossibleClot);
    }

    [Theory]
    [InlineData(Symptom.Redness)]
    [InlineData(Symptom.Warmth)]
    public void Fever_with_a_red_or_warm_calf_is_an_urgent_infection_alert(Symptom sign)
    {
        var infection = Assert.Single(Findings(Day(2, 4, symptoms: [Symptom.Fever, sign])), f => f.Rule == AlertRule.Infection);

        Assert.Equal(Severity.Urgent, infection.Severity);
        Assert.Contains("today", infection.Advice, StringComparison.Ordinal);
    }

    [Fact]
    public void Given_a_calf_strain_when_the_patient_logs_a_fever_alone_then_she_is_told_to_see_a_doctor()
    {
        var infection = Assert.Single(Findings(Day(2, 4, symptoms: Symptom.Fever)));

        Assert.Equal((AlertRule.Infection, Severity.Advice), (infection.Rule, infection.Severity));
        Assert.Contains("GP", infection.Advice, StringComparison.Ordinal);
    }

    [Fact]
    public void Given_cramps_whose_pain_returns_to_0_or_1_between_cramp_days_then_neither_worsening_nor_persistent_pain_is_raised()
    {
        CheckIn[] crampDays = [Day(1, 6), Day(2, 0), Day(3, 1), Day(4, 7), Day(5, 5), Day(6, 8), Day(7, 8)];

        for (var last = 3; last <= crampDays.Length; last++)
        {
            var findings = Findings(SuspectedCause.Cramps, RiskFactors.None, crampDays[..last]);
            Assert.DoesNotContain(findings, f => f.Rule is AlertRule.Worsening or AlertRule.PersistentPain);
        }

        // The same days in a calf strain are worsening pain.
        Assert.Contains(Findings(SuspectedCause.CalfStrain, RiskFactors.None, crampDays[..4]), f => f.Rule == AlertRule.Worsening);
    }

    [Fact]
    public void Given_cramps_after_a_pain_free_day_when_the_pain_is_severe_on_every_check_in_then_it_is_urgent_at_once()
    {
        var findings = Findings(SuspectedCause.Cramps, RiskFactors.None, Day(1, 1), Day(2, 9), Day(3, 9), Day(4, 9));

        var persistent = Assert.Single(findings, f => f.Rule == AlertRule.PersistentPain);
        Assert.Equal(Severity.Urgent, persistent.Severity);
        Assert.DoesNotContain(findings, f => f.Rule == AlertRule.Worsening);
    }

    [Fact]
    public void Given_cramps_whose_pain_has_become_constant_then_persistent_pain_and_worsening_are_raised()
    {
        var constant = Findings(SuspectedCause.Cramps, RiskFactors.None, Day(1, 4), Day(2, 4), Day(3, 4), Day(4, 5), Day(5, 6));

        Assert.Contains(constant, f => f.Rule == AlertRule.Worsening);
        Assert.Contains(constant, f => f.Rule == AlertRule.PersistentPain);
    }

    [Theory]
    [InlineData(Symptom.ShortnessOfBreath)]
    [InlineData(Symptom.ChestPain)]
    [InlineData(Symptom.CoughingBlood)]
    public void Breathlessness_chest_pain_or_coughing_blood_is_an_emergency_that_says_call_emergency_services(Symptom symptom)
    {
        var emergency = Assert.Single(Findings(Day(10, 5, Swelling.Moderate, symptoms: symptom)), f => f.Rule == AlertRule.PossibleClotInLungs);

        Assert.Equal(Severity.Emergency, emergency.Severity);
        Assert.Contains("Call 999", emergency.Advice, StringComparison.Ordinal);
    }

    [Fact]
    public void A_cold_pale_numb_leg_is_an_emergency()
    {
        var emergency = Assert.Single(Findings(Day(3, 7, symptoms: [Symptom.ColdPaleLeg, Symptom.Numbness])));

        Assert.Equal((AlertRule.ColdPaleLeg, Severity.Emergency), (emergency.Rule, emergency.Severity));
        Assert.Contains("numb", emergency.Advice, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(Symptom.CannotStandOnTiptoe)]
    [InlineData(Symptom.Deformity)]
    public void Signs_of_a_rupture_are_urgent(Symptom sign)
    {
        var rupture = Assert.Single(Findings(Day(1, 6, symptoms: sign)));

        Assert.Equal((AlertRule.PossibleRupture, Severity.Urgent), (rupture.Rule, rupture.Severity));
    }

    [Fact]
    public void Pain_at_night_or_at_rest_and_not_walking_comfortably_are_advice()
    {
        Assert.Equal([AlertRule.PainAtNightOrRest], Rules(Findings(Day(1, 3, atNight: true))));
        Assert.Equal([AlertRule.PainAtNightOrRest], Rules(Findings(Day(1, 3, atRest: true))));
        Assert.Equal([AlertRule.CannotWalkComfortably], Rules(Findings(Day(1, 3, canWalk: false))));
        Assert.All(Findings(Day(1, 3, atNight: true, canWalk: false)), f => Assert.Equal(Severity.Advice, f.Severity));
    }

    [Fact]
    public void Pain_rising_by_the_baseline_aware_threshold_over_3_check_ins_is_worsening()
    {
        // Baseline 3 (threshold 1 point); the last 3 check-ins go 3 -> 4 -> 4, a rise of 1.
        Assert.DoesNotContain(Findings(Day(1, 3), Day(2, 3), Day(3, 3), Day(4, 3), Day(5, 3)), f => f.Rule == AlertRule.Worsening);
        Assert.Contains(Findings(Day(1, 3), Day(2, 3), Day(3, 3), Day(4, 4), Day(5, 4)), f => f.Rule == AlertRule.Worsening);
    }

    [Fact]
    public void A_one_point_rise_is_not_worsening_from_a_baseline_of_6_but_is_from_a_baseline_of_2()
    {
        Assert.DoesNotContain(Findings(Day(1, 6), Day(2, 6), Day(3, 6), Day(4, 6), Day(5, 7)), f => f.Rule == AlertRule.Worsening);
        Assert.Contains(Findings(Day(1, 2), Day(2, 2), Day(3, 2), Day(4, 2), Day(5, 3)), f => f.Rule == AlertRule.Worsening);
    }

    [Fact]
    public void No_finding_ever_tells_anyone_a_clot_is_unlikely()
    {
        var risk = new RiskFactors(true, true, true, true);
        var everything = Day(5, 9, Swelling.Severe, ankle: true, affectedCm: 41, atRest: true, atNight: true, canWalk: false,
            symptoms: Enum.GetValues<Symptom>());

        var findings = Findings(SuspectedCause.Unknown, risk, Day(3, 9), Day(4, 9), everything);

        Assert.True(findings.Count >= 9);
        Assert.All(findings, f =>
        {
            Assert.DoesNotContain("unlikely", f.Title + f.Advice, StringComparison.OrdinalIgnoreCase);
            Assert.False(string.IsNullOrWhiteSpace(f.Source));
        });
    }
}
