using System.Net;
using CalfPainTracker.Episodes;
using CalfPainTracker.Export;
using CalfPainTracker.Tests.Infrastructure;
using Firely.Fhir.Validation;
using Hl7.Fhir.Model;
using Hl7.Fhir.Serialization;
using Hl7.Fhir.Specification.Source;
using Hl7.Fhir.Specification.Terminology;
using Task = System.Threading.Tasks.Task;

namespace CalfPainTracker.Tests.Export;

/// <summary>The base R4 profiles from the specification package, loaded once per test run.</summary>
public static class R4Validation
{
    private static readonly Lazy<Validator> Validator = new(() =>
    {
        var profiles = new CachedResolver(ZipSource.CreateValidationSource());
        return new Validator(profiles, new LocalTerminologyService(profiles));
    });

    /// <summary>
    /// Fails on any fatal error, error or warning: the README promises an export that validates
    /// with no errors and no warnings. Information messages are the validator's notes, not findings.
    /// </summary>
    public static void AssertClean(Resource resource)
    {
        var findings = Validator.Value.Validate(resource).Issue
            .Where(i => i.Severity is OperationOutcome.IssueSeverity.Fatal or OperationOutcome.IssueSeverity.Error or OperationOutcome.IssueSeverity.Warning)
            .ToList();
        Assert.True(findings.Count == 0, string.Join("\n", findings.Select(i => $"{i.Severity} {i.Code} at {string.Join(",", i.Expression)}: {i.Details?.Text}")));
    }
}

[Collection(nameof(ExportCollection))]
public sealed class FhirExportTests(ExportedEpisode exported)
{
    [Fact]
    public async Task Six_weeks_export_as_a_bundle_that_validates_against_the_base_R4_profiles_with_no_errors_and_no_warnings()
    {
        var response = await exported.Physio.Get($"/api/episodes/{exported.Episode}/export/fhir");

        var bundle = await Parse(response);
        R4Validation.AssertClean(bundle);

        Assert.Equal(Bundle.BundleType.Collection, bundle.Type);
        var resources = bundle.Entry.Select(e => e.Resource).ToList();
        var pain = resources.OfType<Observation>().Where(o => o.Code!.Coding.Any(c => c.System == FhirCodes.Loinc && c.Code == "72514-3")).ToList();
        Assert.Equal(SixWeekDaysLogged, pain.Count);
        Assert.All(pain, o =>
        {
            Assert.Equal($"Patient/{exported.Patient.Id}", o.Subject!.Reference);
            Assert.InRange(IntegerOf(o), 0, 10);
            Assert.Matches(@"^\d{4}-\d{2}-\d{2}$", DayOf(o));
            Assert.Contains(o.BodySite!.Coding, c => c.System == FhirCodes.Snomed && c.Code == "48979004");
        });
        Assert.Equal(1, IntegerOf(pain.Single(o => DayOf(o) == ExportedEpisode.LastDay)));

        var leg = Resolve<BodyStructure>(bundle, Assert.IsType<ResourceReference>(pain[0].BodySite!.GetExtension(FhirCodes.BodySiteExtension)?.Value).Reference);
        Assert.Contains(leg.LocationQualifier.SelectMany(q => q.Coding), c => c.System == FhirCodes.Snomed && c.Code == "7771000");

        Assert.Equal(SixWeekDaysLogged, resources.OfType<Observation>().Count(o => o.Code!.Coding.Any(c => c.Code == "65124004")));
        var tape = Assert.Single(resources.OfType<Observation>(), o => o.Code!.Coding.Any(c => c.System == FhirCodes.CalfTracking && c.Code == FhirCodes.CalfCircumferenceDifference));
        Assert.Equal(3.5m, Assert.IsType<Quantity>(tape.Value).Value);

        var questionnaires = resources.OfType<QuestionnaireResponse>().ToList();
        Assert.Equal(2, questionnaires.Count);
        Assert.All(questionnaires, q => Assert.Equal(20, q.Item.Count));
        Assert.All(questionnaires, q => Assert.Equal(FhirCodes.LefsQuestionnaire, q.Questionnaire));
        var totals = resources.OfType<Observation>().Where(o => o.Code!.Coding.Any(c => c.Code == FhirCodes.LefsTotal)).ToList();
        Assert.Equal([40, 60], totals.Select(IntegerOf).Order());
        Assert.All(totals, t => Resolve<QuestionnaireResponse>(bundle, Assert.Single(t.DerivedFrom).Reference));

        var flags = resources.OfType<Flag>().ToList();
        Assert.Equal((await exported.OpenAlertTitles()).Order(), flags.Select(f => f.Code!.Coding[0].Display).Order());
        Assert.All(flags, f => Assert.Equal(Flag.FlagStatus.Active, f.Status));

        var wells = Assert.Single(resources.OfType<RiskAssessment>());
        Assert.NotEmpty(wells.Basis);
        Assert.All(wells.Basis, b => Resolve<Observation>(bundle, b.Reference));
        Assert.Contains(wells.Basis, b => b.Reference == FullUrlOf(bundle, tape));
        Assert.Contains(wells.Note, n => n.Text == "Wells score -1: DVT unlikely by score");
        var score = Assert.Single(resources.OfType<Observation>(), o => o.Code!.Coding.Any(c => c.Code == "wells-dvt-score"));
        Assert.Equal(-1, IntegerOf(score));
    }

    [Fact]
    public async Task A_patients_export_holds_their_record_but_never_the_clinicians_wells_score()
    {
        var bundle = await Parse(await exported.Patient.Get($"/api/episodes/{exported.Episode}/export/fhir"));

        Assert.Empty(bundle.Entry.Select(e => e.Resource).OfType<RiskAssessment>());
        Assert.DoesNotContain("unlikely", bundle.ToJson(), StringComparison.OrdinalIgnoreCase);
        Assert.Equal(SixWeekDaysLogged, bundle.Entry.Select(e => e.Resource).OfType<Observation>().Count(o => o.Code!.Coding.Any(c => c.Code == "72514-3")));
    }

    [Fact]
    public void An_episode_with_nothing_logged_yet_still_exports_a_valid_bundle()
    {
        var episode = new Episode();
        episode.Apply(new EpisodeOpened(Guid.NewGuid(), Guid.NewGuid(), Side.Right, SuspectedCause.Unknown, new DateOnly(2026, 11, 1), "Europe/London", RiskFactors.None, DateTimeOffset.UnixEpoch));

        var bundle = FhirEpisodeExport.ToBundle(episode, [], [], forClinician: true, DateTimeOffset.UnixEpoch);

        R4Validation.AssertClean(bundle);
        var leg = Assert.IsType<BodyStructure>(Assert.Single(bundle.Entry).Resource);
        Assert.Equal("24028007", leg.LocationQualifier[0].Coding[0].Code);
    }

    private static int SixWeekDaysLogged => Trends.SixWeekRecovery.Days - Trends.SixWeekRecovery.Missed.Length;

    private static async Task<Bundle> Parse(HttpResponseMessage response)
    {
        var json = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, json);
        Assert.Equal(FhirEpisodeExport.MediaType, response.Content.Headers.ContentType?.MediaType);
        return new FhirJsonDeserializer().Deserialize<Bundle>(json);
    }

    private static int IntegerOf(Observation observation) => Assert.IsType<Integer>(observation.Value).Value!.Value;

    private static string DayOf(Observation observation) => Assert.IsType<FhirDateTime>(observation.Effective).Value!;

    private static T Resolve<T>(Bundle bundle, string? reference) where T : Resource =>
        Assert.IsType<T>(Assert.Single(bundle.Entry, e => e.FullUrl == reference).Resource);

    private static string? FullUrlOf(Bundle bundle, Resource resource) => bundle.Entry.Single(e => ReferenceEquals(e.Resource, resource)).FullUrl;
}
