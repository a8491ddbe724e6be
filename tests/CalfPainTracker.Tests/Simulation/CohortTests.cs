using System.Text.Json;
using CalfPainTracker.Episodes;
using CalfPainTracker.Http;
using CalfPainTracker.Simulator;
using CalfPainTracker.Simulator.Stories;

namespace CalfPainTracker.Tests.Simulation;

public sealed class CohortTests
{
    private static readonly StoryCalendar SixWeeks = new(new DateOnly(2026, 9, 1), 42);

    private static CohortShape Shape(int seed, int patients = 30) => new(Clinics: 2, PhysiosPerClinic: 2, PatientsPerClinic: patients, seed, Stories: []);

    private static string Everything(Cohort cohort) => JsonSerializer.Serialize(cohort.Clinics, JsonSerializerOptions.Web);

    [Fact]
    public void The_same_seed_gives_the_same_people_stories_and_check_ins_ids_included()
    {
        var first = Cohort.Create(Shape(7), SixWeeks);
        var second = Cohort.Create(Shape(7), SixWeeks);

        Assert.Equal(Everything(first), Everything(second));
        Assert.True(first.Patients.Sum(p => p.CheckIns.Count) > 2 * 30 * 35);
    }

    [Fact]
    public void Another_seed_gives_other_people_and_other_check_ins()
    {
        var first = Cohort.Create(Shape(7), SixWeeks);
        var other = Cohort.Create(Shape(8), SixWeeks);

        Assert.NotEqual(first.Clinics[0].Id, other.Clinics[0].Id);
        var firstIds = first.Patients.SelectMany(p => p.CheckIns).Select(c => c.Request.CheckInId).ToHashSet();
        Assert.DoesNotContain(other.Patients.SelectMany(p => p.CheckIns), c => firstIds.Contains(c.Request.CheckInId));
        Assert.NotEqual(
            first.Patients.Select(p => p.CheckIns.Sum(c => c.Request.PainLevel)),
            other.Patients.Select(p => p.CheckIns.Sum(c => c.Request.PainLevel)));
    }

    [Fact]
    public void Who_the_people_are_does_not_depend_on_the_calendar_so_tokens_can_be_printed_later()
    {
        var people = Cohort.Create(Shape(42));
        var run = Cohort.Create(Shape(42), SixWeeks);

        Assert.Equal(
            people.Clinics.Select(c => (c.Id, c.Admin, string.Join(",", c.Physios), string.Join(",", c.Patients.Select(p => (p.Patient, p.Physio, p.Story))))),
            run.Clinics.Select(c => (c.Id, c.Admin, string.Join(",", c.Physios), string.Join(",", c.Patients.Select(p => (p.Patient, p.Physio, p.Story))))));
        Assert.All(people.Patients, p => Assert.Empty(p.CheckIns));
    }

    [Fact]
    public void A_demo_sized_clinic_tells_every_story_and_shares_its_patients_between_the_physiotherapists()
    {
        var clinic = Cohort.Create(new CohortShape(1, 2, 30, 42, []), SixWeeks).Clinics.Single();

        Assert.Equal(Enum.GetValues<StoryKind>().Order(), clinic.Patients.Select(p => p.Story).Distinct().Order());
        Assert.All(clinic.Physios, physio => Assert.Equal(15, clinic.Patients.Count(p => p.Physio == physio)));
        Assert.Contains(clinic.Patients.SelectMany(p => p.CheckIns), c => c.Submission == Submission.Correction);
        Assert.Contains(clinic.Patients.SelectMany(p => p.CheckIns), c => c.Submission == Submission.Backfilled);
    }

    [Fact]
    public void Stories_asked_for_are_told_in_turn()
    {
        var cohort = Cohort.Create(new CohortShape(1, 1, 3, 1, [StoryKind.Cramps, StoryKind.ClotToLungs]), SixWeeks);

        Assert.Equal([StoryKind.Cramps, StoryKind.ClotToLungs, StoryKind.Cramps], cohort.Patients.Select(p => p.Story));
    }

    [Fact]
    public void Every_planned_check_in_passes_the_services_own_validation_and_falls_within_the_episode()
    {
        var lastDay = SixWeeks.Start.AddDays(SixWeeks.Days - 1);
        foreach (var patient in Cohort.Create(Shape(3), SixWeeks).Patients)
        {
            var episode = Opened(patient);
            foreach (var planned in patient.CheckIns)
            {
                var errors = new FieldErrors();
                var checkIn = planned.Request.Validate(episode, lastDay, DateTimeOffset.UnixEpoch, errors);

                Assert.False(errors.Any, $"{patient.Story} {planned.Day}: {Described(errors)}");
                Assert.InRange(checkIn!.Day, SixWeeks.Start, lastDay);
                Assert.Equal(planned.Day, checkIn.Day);
            }
            var onTheDay = patient.CheckIns.Where(c => c.Submission != Submission.Backfilled).Select(c => c.Day).ToList();
            Assert.Equal(onTheDay.Order(), onTheDay);
        }
    }

    private static string Described(FieldErrors errors) =>
        errors.ToResult() is Microsoft.AspNetCore.Http.HttpResults.ValidationProblem problem
            ? string.Join("; ", problem.ProblemDetails.Errors.SelectMany(e => e.Value))
            : "";

    private static Episode Opened(SimulatedPatient patient)
    {
        var request = patient.Episode;
        Assert.True(WireNames.TryParse<Side>(request.Side, out var side));
        Assert.True(WireNames.TryParse<SuspectedCause>(request.SuspectedCause, out var cause));
        var risk = request.RiskFactors!;
        var episode = new Episode();
        episode.Apply(new EpisodeOpened(
            Guid.NewGuid(), patient.Patient.UserId, side, cause, DateOnly.Parse(request.OnsetDate!, System.Globalization.CultureInfo.InvariantCulture), request.TimeZone!,
            new RiskFactors(risk.ActiveCancer!.Value, risk.RecentImmobilisation!.Value, risk.BedriddenOrRecentSurgery!.Value, risk.PreviousDvt!.Value),
            DateTimeOffset.UnixEpoch));
        return episode;
    }
}
