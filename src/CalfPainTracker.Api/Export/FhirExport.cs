using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using CalfPainTracker.Alerts;
using CalfPainTracker.CheckIns;
using CalfPainTracker.Episodes;
using CalfPainTracker.Http;
using CalfPainTracker.Trends;
using Hl7.Fhir.Model;

namespace CalfPainTracker.Export;

/// <summary>
/// The code systems of clinical-reference.md section 7, and this project's own canonical
/// code system for what LOINC and SNOMED have no code for.
/// </summary>
public static class FhirCodes
{
    public const string Loinc = "http://loinc.org";
    public const string Snomed = "http://snomed.info/sct";
    public const string Ucum = "http://unitsofmeasure.org";
    public const string ObservationCategory = "http://terminology.hl7.org/CodeSystem/observation-category";
    public const string FlagCategory = "http://terminology.hl7.org/CodeSystem/flag-category";
    public const string FlagPriority = "http://hl7.org/fhir/flag-priority-code";

    /// <summary>R4 core extension: links a coded body site to the BodyStructure that carries its laterality.</summary>
    public const string BodySiteExtension = "http://hl7.org/fhir/StructureDefinition/bodySite";
    public const string FlagPriorityExtension = "http://hl7.org/fhir/StructureDefinition/flag-priority";

    public const string CalfTracking = "https://calfpaintracker.example/fhir/CodeSystem/calf-tracking";
    public const string AlertRule = "https://calfpaintracker.example/fhir/CodeSystem/alert-rule";
    public const string LefsQuestionnaire = "https://calfpaintracker.example/fhir/Questionnaire/lefs";

    public const string PainSeverity = "72514-3";
    public const string LefsTotal = "lefs-total";
    public const string CalfCircumferenceDifference = "calf-circumference-difference";
}

/// <summary>
/// An episode as a FHIR R4 collection Bundle: one pain and one swelling Observation per logged
/// day (and one for the calf tape measure where taken), the LEFS questionnaires with their
/// totals, open alerts as Flags and, for clinicians only, the Wells score as a RiskAssessment.
/// The service holds no names, so the patient is only the reference Patient/{patientId}.
/// </summary>
public static class FhirEpisodeExport
{
    public const string MediaType = "application/fhir+json";

    /// <param name="days">The latest version of each logged day, in day order.</param>
    public static Bundle ToBundle(Episode episode, IReadOnlyList<CheckIn> days, IReadOnlyList<LefsAnswered> lefs, bool forClinician, DateTimeOffset exportedAt)
    {
        ArgumentNullException.ThrowIfNull(episode);
        ArgumentNullException.ThrowIfNull(days);
        ArgumentNullException.ThrowIfNull(lefs);
        return new EpisodeBundle(episode, days).Build(lefs, forClinician, exportedAt);
    }

    private sealed class EpisodeBundle(Episode episode, IReadOnlyList<CheckIn> days)
    {
        private readonly Bundle _bundle = new() { Type = Bundle.BundleType.Collection };
        private readonly ResourceReference _patient = new($"Patient/{episode.PatientId}");
        private readonly Dictionary<DateOnly, List<ResourceReference>> _observationsByDay = [];
        private string _affectedLeg = "";

        public Bundle Build(IReadOnlyList<LefsAnswered> lefs, bool forClinician, DateTimeOffset exportedAt)
        {
            // Ids derive from the episode and its records, so exporting twice gives the same resources.
            _bundle.Id = StableId(episode.Id, "bundle");
            _bundle.TimestampElement = new Instant(exportedAt);
            _affectedLeg = Add(StableId(episode.Id, "affected-leg"), AffectedLeg());

            foreach (var day in days) AddDay(day);
            foreach (var answered in lefs.OrderBy(l => l.At)) AddLefs(answered);
            foreach (var alert in episode.Alerts.Where(a => a.IsOpen)) Add(StableId(alert.Id, "flag"), AlertFlag(alert));
            // The full Wells score is for clinicians: a patient is never shown "DVT unlikely".
            if (forClinician && episode.LatestWellsExam is { } exam) AddWells(exam);
            return _bundle;
        }

        private string Add(string id, Resource resource)
        {
            resource.Id = id;
            var fullUrl = $"urn:uuid:{id}";
            _bundle.Entry.Add(new Bundle.EntryComponent { FullUrl = fullUrl, Resource = resource });
            return fullUrl;
        }

        private void AddDay(CheckIn day)
        {
            var references = new List<ResourceReference>
            {
                new(Add(StableId(day.CheckInId, "pain"), Pain(day))),
                new(Add(StableId(day.CheckInId, "swelling"), SwellingOf(day))),
            };
            if (day.CalfCircumferenceCm is { } tape) references.Add(new(Add(StableId(day.CheckInId, "calf-circumference"), Circumference(day, tape))));
            _observationsByDay[day.Day] = references;
        }

        private BodyStructure AffectedLeg() => new()
        {
            Active = true,
            Description = $"Affected calf: {SideName} lower leg",
            Location = new CodeableConcept(FhirCodes.Snomed, "30021000", "Lower leg structure", "lower leg"),
            LocationQualifier = [episode.Side == Side.Left
                ? new CodeableConcept(FhirCodes.Snomed, "7771000", "Left", "left")
                : new CodeableConcept(FhirCodes.Snomed, "24028007", "Right", "right")],
            Patient = _patient,
        };

        private string SideName => episode.Side == Side.Left ? "left" : "right";

        private CodeableConcept LegSite()
        {
            var site = episode.Side == Side.Left
                ? new CodeableConcept(FhirCodes.Snomed, "48979004", "Structure of left lower leg", "left lower leg")
                : new CodeableConcept(FhirCodes.Snomed, "32696007", "Structure of right lower leg", "right lower leg");
            site.Extension.Add(new Extension(FhirCodes.BodySiteExtension, new ResourceReference(_affectedLeg)));
            return site;
        }

        /// <summary>What the patient reports is a survey; what a clinician examines is an exam.</summary>
        private Observation Recorded(CodeableConcept code, DataType effective, ResourceReference by, DataType? value = null) => new()
        {
            Status = ObservationStatus.Final,
            Category = [ReferenceEquals(by, _patient)
                ? new CodeableConcept(FhirCodes.ObservationCategory, "survey", "Survey")
                : new CodeableConcept(FhirCodes.ObservationCategory, "exam", "Exam")],
            Code = code,
            Subject = _patient,
            Effective = effective,
            Performer = [by],
            Value = value,
        };

        private Observation PatientReported(DateOnly day, CodeableConcept code, DataType value)
        {
            var observation = Recorded(code, Day(day), _patient, value);
            observation.BodySite = LegSite();
            return observation;
        }

        private Observation Pain(CheckIn day)
        {
            var pain = PatientReported(
                day.Day,
                new CodeableConcept(FhirCodes.Loinc, FhirCodes.PainSeverity, "Pain severity - 0-10 verbal numeric rating [Score] - Reported", "Calf pain 0-10"),
                new Integer(day.PainLevel));
            pain.IssuedElement = new Instant(day.LoggedAt);
            pain.Component =
            [
                YesNo("pain-at-rest", "Pain at rest", day.PainAtRest),
                YesNo("pain-at-night", "Pain at night", day.PainAtNight),
            ];
            return pain;
        }

        private Observation SwellingOf(CheckIn day)
        {
            var grade = WireNames.Of(day.Swelling);
            var swelling = PatientReported(
                day.Day,
                new CodeableConcept(FhirCodes.Snomed, "65124004", "Swelling", "Calf swelling"),
                new CodeableConcept(FhirCodes.CalfTracking, $"swelling-{grade}", $"Swelling: {grade}", grade));
            swelling.Component = [YesNo("swelling-at-ankle", "Swelling at the ankle", day.SwellingAtAnkle)];
            return swelling;
        }

        /// <summary>The patient's tape measure 10 cm below the tibial tuberosity; the Wells item is the difference.</summary>
        private Observation Circumference(CheckIn day, CalfCircumference tape)
        {
            var observation = PatientReported(
                day.Day,
                Own(FhirCodes.CalfCircumferenceDifference, "Calf circumference, affected minus other leg"),
                Centimetres(tape.Difference));
            observation.Component =
            [
                new Observation.ComponentComponent { Code = Own("calf-circumference-affected", "Calf circumference, affected leg"), Value = Centimetres(tape.Affected) },
                new Observation.ComponentComponent { Code = Own("calf-circumference-other", "Calf circumference, other leg"), Value = Centimetres(tape.Other) },
            ];
            return observation;
        }

        private void AddLefs(LefsAnswered answered)
        {
            var response = new QuestionnaireResponse
            {
                Questionnaire = FhirCodes.LefsQuestionnaire,
                Status = QuestionnaireResponse.QuestionnaireResponseStatus.Completed,
                Subject = _patient,
                AuthoredElement = new FhirDateTime(answered.At),
                Author = _patient,
                Source = _patient,
                Item = answered.Answers.Select((answer, index) => new QuestionnaireResponse.ItemComponent
                {
                    LinkId = (index + 1).ToString(CultureInfo.InvariantCulture),
                    Answer = [new QuestionnaireResponse.AnswerComponent { Value = new Integer(answer) }],
                }).ToList(),
            };
            var responseUrl = Add(StableId(episode.Id, $"lefs/{answered.At.UtcTicks}"), response);

            var total = Recorded(
                Own(FhirCodes.LefsTotal, "Lower Extremity Functional Scale total (0-80, higher is better)"),
                Day(answered.Day),
                _patient,
                new Integer(answered.Total));
            total.DerivedFrom = [new ResourceReference(responseUrl)];
            Add(StableId(episode.Id, $"lefs-total/{answered.At.UtcTicks}"), total);
        }

        private Flag AlertFlag(Alert alert)
        {
            var severity = WireNames.Of(alert.Severity);
            var flag = new Flag
            {
                Status = Flag.FlagStatus.Active,
                Category = [new CodeableConcept(FhirCodes.FlagCategory, "clinical", "Clinical")],
                Code = new CodeableConcept(FhirCodes.AlertRule, WireNames.Of(alert.Rule), alert.Title, $"{severity}: {alert.Title}"),
                Subject = _patient,
                Period = new Period { StartElement = new FhirDateTime(alert.RaisedAt) },
            };
            // Emergency and urgent alerts both need a clinician the same day; advice can wait for review.
            var priority = alert.Severity == Severity.Advice
                ? new CodeableConcept(FhirCodes.FlagPriority, "PL", "Low priority")
                : new CodeableConcept(FhirCodes.FlagPriority, "PH", "High priority");
            flag.Extension.Add(new Extension(FhirCodes.FlagPriorityExtension, priority));
            return flag;
        }

        private void AddWells(WellsExamRecorded exam)
        {
            var clinician = new ResourceReference($"Practitioner/{exam.By}");
            var examined = Recorded(Own("wells-clinician-examination", "Wells DVT items examined by a clinician"), new FhirDateTime(exam.At), clinician);
            examined.BodySite = LegSite();
            examined.Component =
            [
                YesNo("deep-vein-tenderness", "Localised tenderness along the deep venous system", exam.Exam.DeepVeinTenderness),
                YesNo("pitting-oedema", "Pitting oedema confined to the symptomatic leg", exam.Exam.PittingOedema),
                YesNo("collateral-veins", "Collateral superficial veins (non-varicose)", exam.Exam.CollateralVeins),
                YesNo("alternative-diagnosis-as-likely", "Alternative diagnosis at least as likely as DVT", exam.Exam.AlternativeDiagnosisAsLikely),
            ];
            var basis = new List<ResourceReference> { new(Add(StableId(episode.Id, $"wells-exam/{exam.At.UtcTicks}"), examined)) };

            // The patient-reported items were read from the latest check-in on the day of the examination.
            var checkInDay = days.LastOrDefault(c => c.Day <= episode.LocalDay(exam.At))?.Day;
            var reported = Recorded(
                Own("wells-patient-reported", "Wells DVT items reported by the patient (points)"),
                new FhirDateTime(exam.At),
                _patient,
                new Integer(exam.PatientReported.Score));
            reported.Note = exam.PatientReported.PatientItems.Select(item => new Annotation { Text = item }).ToList();
            reported.DerivedFrom = checkInDay is { } d ? _observationsByDay[d] : [];
            basis.Add(new(Add(StableId(episode.Id, $"wells-reported/{exam.At.UtcTicks}"), reported)));
            if (checkInDay is { } day) basis.AddRange(_observationsByDay[day]);

            var result = $"Wells score {exam.Score.Score}: {(exam.Score.DvtLikely ? "DVT likely" : "DVT unlikely by score")}";
            var score = Recorded(Own("wells-dvt-score", "Two-level Wells score for DVT (points)"), new FhirDateTime(exam.At), clinician, new Integer(exam.Score.Score));
            score.Interpretation = [new CodeableConcept { Text = result }];
            score.DerivedFrom = [.. basis];
            Add(StableId(episode.Id, $"wells-score/{exam.At.UtcTicks}"), score);

            // No prediction: the two-level score gives a category, not a probability, and the R4
            // invariant ras-2 fails every prediction without a numeric one in Firely's validator.
            // The result is in the notes and, machine-readable, in the score Observation.
            var assessment = new RiskAssessment
            {
                Status = ObservationStatus.Final,
                Code = Own("wells-dvt-two-level", "Two-level Wells score for DVT (Wells 2003)"),
                Method = new CodeableConcept { Text = exam.Score.Source },
                Subject = _patient,
                Occurrence = new FhirDateTime(exam.At),
                Performer = clinician,
                Basis = basis,
                Note = [new Annotation { Text = result }, new Annotation { Text = exam.Score.NextStep }],
            };
            Add(StableId(episode.Id, $"wells/{exam.At.UtcTicks}"), assessment);
        }

        private static CodeableConcept Own(string code, string display) => new(FhirCodes.CalfTracking, code, display, display);

        private static Observation.ComponentComponent YesNo(string code, string display, bool value) =>
            new() { Code = Own(code, display), Value = new FhirBoolean(value) };

        private static Quantity Centimetres(decimal value) => new() { Value = value, Unit = "cm", System = FhirCodes.Ucum, Code = "cm" };

        private static FhirDateTime Day(DateOnly day) => new(day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
    }

    /// <summary>A name-based UUID (RFC 9562 version 8) of a record and the part of it a resource shows.</summary>
    private static string StableId(Guid source, string part)
    {
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes($"{source:N}/{part}"), hash);
        hash[6] = (byte)((hash[6] & 0x0F) | 0x80);
        hash[8] = (byte)((hash[8] & 0x3F) | 0x80);
        return new Guid(hash[..16], bigEndian: true).ToString();
    }
}
