using System.Globalization;
using CalfPainTracker.Episodes;
using CalfPainTracker.Http;
using CalfPainTracker.Security;
using CalfPainTracker.Simulator.Stories;

namespace CalfPainTracker.Simulator;

/// <summary>
/// Who is in the simulated clinics. <paramref name="PatientsPerClinic"/> patients per clinic,
/// shared round-robin among its physiotherapists. <paramref name="Stories"/>: the stories to
/// tell in turn; empty for the usual mix.
/// </summary>
public sealed record CohortShape(int Clinics, int PhysiosPerClinic, int PatientsPerClinic, int Seed, IReadOnlyList<StoryKind> Stories);

/// <summary>The run's calendar: episodes open on <paramref name="Start"/> (day 1, the onset) and run for <paramref name="Days"/> days.</summary>
public sealed record StoryCalendar(DateOnly Start, int Days)
{
    /// <summary>Today in the patients' time zone: the service refuses check-ins for days after it.</summary>
    public static DateOnly Today(DateTimeOffset now) =>
        Episode.LocalDayIn(PatientDiary.TimeZone, now);
}

public sealed record SimulatedClinic(Guid Id, Caller Admin, IReadOnlyList<Caller> Physios, IReadOnlyList<SimulatedPatient> Patients);

/// <summary>One patient, the physiotherapist who opens their episode, their story and every check-in they will send.</summary>
public sealed record SimulatedPatient(
    Caller Patient,
    Caller Physio,
    StoryKind Story,
    OpenEpisodeRequest Episode,
    SetTreatmentPlanRequest Plan,
    IReadOnlyList<PlannedCheckIn> CheckIns);

/// <summary>
/// The simulated clinics, made from a seed alone: the same seed and shape give the same people,
/// stories and check-ins (ids included). Who the people are does not depend on the calendar,
/// so tokens for a cohort can be printed without knowing when it ran.
/// </summary>
public sealed class Cohort
{
    /// <summary>How often each story turns up beyond the first of each kind: strains are common, clots rare.</summary>
    private static readonly (StoryKind Story, int Weight)[] Mix =
    [
        (StoryKind.CalfStrain, 30),
        (StoryKind.MedialGastrocnemiusStrain, 20),
        (StoryKind.PlantarisRupture, 8),
        (StoryKind.AchillesTendinopathy, 12),
        (StoryKind.PlateauingStrain, 8),
        (StoryKind.Cramps, 8),
        (StoryKind.StopsCheckingIn, 8),
        (StoryKind.PostOperativeClot, 3),
        (StoryKind.ClotToLungs, 3),
    ];

    private Cohort(CohortShape shape, IReadOnlyList<SimulatedClinic> clinics)
    {
        Shape = shape;
        Clinics = clinics;
    }

    public CohortShape Shape { get; }

    public IReadOnlyList<SimulatedClinic> Clinics { get; }

    public IEnumerable<SimulatedPatient> Patients => Clinics.SelectMany(c => c.Patients);

    /// <summary>Without a calendar: the people and their stories, and no check-ins.</summary>
    public static Cohort Create(CohortShape shape, StoryCalendar? calendar = null)
    {
        var people = new Random(shape.Seed);
        var clinics = new List<SimulatedClinic>();
        for (var c = 0; c < shape.Clinics; c++)
        {
            var clinicId = PatientDiary.NewId(people);
            var admin = new Caller(PatientDiary.NewId(people), Role.ClinicAdmin, clinicId);
            var physios = Enumerable.Range(0, shape.PhysiosPerClinic).Select(_ => new Caller(PatientDiary.NewId(people), Role.Physio, clinicId)).ToList();
            var stories = StoriesFor(shape, people);
            var patients = new List<SimulatedPatient>();
            for (var p = 0; p < shape.PatientsPerClinic; p++)
            {
                var patient = new Caller(PatientDiary.NewId(people), Role.Patient, clinicId);
                var ownSeed = people.Next();
                patients.Add(Patient(patient, physios[p % physios.Count], stories[p], ownSeed, calendar));
            }
            clinics.Add(new SimulatedClinic(clinicId, admin, physios, patients));
        }
        return new Cohort(shape, clinics);
    }

    /// <summary>Every kind once (in a seeded order) while there are patients for it, then the usual mix; or the stories asked for, in turn.</summary>
    private static List<StoryKind> StoriesFor(CohortShape shape, Random people)
    {
        if (shape.Stories.Count > 0)
        {
            return [.. Enumerable.Range(0, shape.PatientsPerClinic).Select(i => shape.Stories[i % shape.Stories.Count])];
        }
        var everyKind = Mix.Select(m => m.Story).ToArray();
        people.Shuffle(everyKind);
        var total = Mix.Sum(m => m.Weight);
        return [.. Enumerable.Range(0, shape.PatientsPerClinic).Select(i => i < everyKind.Length ? everyKind[i] : Draw(people.Next(total)))];
    }

    private static StoryKind Draw(int ticket)
    {
        foreach (var (story, weight) in Mix)
        {
            if (ticket < weight) return story;
            ticket -= weight;
        }
        throw new InvalidOperationException("The ticket is beyond the mix's total weight.");
    }

    private static SimulatedPatient Patient(Caller patient, Caller physio, StoryKind kind, int seed, StoryCalendar? calendar)
    {
        var random = new Random(seed);
        var days = calendar?.Days ?? 0;
        var story = Story.Create(kind, days, random);
        var side = random.Next(2) == 0 ? Side.Left : Side.Right;
        var risk = story.RiskFactors;
        var episode = new OpenEpisodeRequest(
            patient.UserId,
            WireNames.Of(side),
            WireNames.Of(story.Cause),
            calendar?.Start.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            PatientDiary.TimeZone,
            new RiskFactorsRequest(risk.ActiveCancer, risk.RecentImmobilisation, risk.BedriddenOrRecentSurgery, risk.PreviousDvt));
        var plan = new SetTreatmentPlanRequest(story.Plan.RestHoursPerDay, story.Plan.IceMinutesPerDay, story.Plan.HeatMinutesPerDay, story.Plan.StretchingMinutesPerDay);
        var checkIns = calendar is null ? [] : PatientDiary.Write(story, calendar.Start, calendar.Days, random);
        return new SimulatedPatient(patient, physio, kind, episode, plan, checkIns);
    }
}
