using System.Security.Claims;
using System.Text;
using CalfPainTracker.Episodes;
using CalfPainTracker.Http;
using CalfPainTracker.Security;
using CalfPainTracker.Trends;
using Hl7.Fhir.Serialization;
using Marten;
using Microsoft.Net.Http.Headers;
using Wolverine.Http;

namespace CalfPainTracker.Export;

/// <summary>The episode's record to take elsewhere: for whoever may see the episode.</summary>
public static class ExportEndpoints
{
    [WolverineGet("/api/episodes/{episodeId}/export/fhir", Name = "ExportFhir")]
    public static async Task<IResult> Fhir(Guid episodeId, ClaimsPrincipal user, IDocumentSession session, TimeProvider clock, CancellationToken cancellation)
    {
        var caller = Caller.From(user);
        var episode = await session.LoadVisible(episodeId, caller, "FHIR export", clock, cancellation);
        if (episode is null) return Problems.EpisodeNotFound(episodeId);

        var history = await EpisodeHistory.Of(session, episodeId, cancellation);
        var bundle = FhirEpisodeExport.ToBundle(episode, history.Days, history.Lefs, caller.IsClinician, clock.GetUtcNow());
        return TypedResults.Text(bundle.ToJson(), FhirEpisodeExport.MediaType, Encoding.UTF8);
    }

    [WolverineGet("/api/episodes/{episodeId}/export/csv", Name = "ExportCsv")]
    public static async Task<IResult> Csv(Guid episodeId, ClaimsPrincipal user, IDocumentSession session, TimeProvider clock, CancellationToken cancellation)
    {
        var episode = await session.LoadVisible(episodeId, Caller.From(user), "CSV export", clock, cancellation);
        if (episode is null) return Problems.EpisodeNotFound(episodeId);

        var history = await EpisodeHistory.Of(session, episodeId, cancellation);
        return TypedResults.File(
            CheckInCsv.Write(history.Days),
            $"{CheckInCsv.MediaType}; charset=utf-8; header=present",
            $"calf-check-ins-{episodeId}.csv");
    }

    /// <summary>The one-page report for a doctor; <c>from</c> and <c>to</c> narrow the chart and the symptoms listed.</summary>
    [WolverineGet("/api/episodes/{episodeId}/report.pdf", Name = "DoctorReport")]
    public static async Task<IResult> Report(
        Guid episodeId, string? from, string? to, ClaimsPrincipal user, IDocumentSession session, TimeProvider clock, HttpResponse response, CancellationToken cancellation)
    {
        var errors = new FieldErrors();
        var (first, last) = ReportPeriod(errors, from, to);
        if (errors.Any) return errors.ToResult();

        var caller = Caller.From(user);
        var episode = await session.LoadVisible(episodeId, caller, "doctor report", clock, cancellation);
        if (episode is null) return Problems.EpisodeNotFound(episodeId);

        var history = await EpisodeHistory.Of(session, episodeId, cancellation);
        var pdf = DoctorReport.Render(episode, history, new ReportScope(first, last, caller.Role, clock.GetUtcNow()));
        return Pdf(pdf, episodeId, response);
    }

    internal static (DateOnly? First, DateOnly? Last) ReportPeriod(FieldErrors errors, string? from, string? to)
    {
        ArgumentNullException.ThrowIfNull(errors);
        var first = errors.Date("from", from, required: false);
        var last = errors.Date("to", to, required: false);
        if (first > last) errors.Add("from", "'from' must not be after 'to'.");
        return (first, last);
    }

    /// <summary>Inline, so a browser shows the report rather than downloading it.</summary>
    internal static IResult Pdf(byte[] pdf, Guid episodeId, HttpResponse response)
    {
        ArgumentNullException.ThrowIfNull(response);
        response.Headers.ContentDisposition = new ContentDispositionHeaderValue("inline") { FileName = $"calf-report-{episodeId}.pdf" }.ToString();
        return TypedResults.File(pdf, DoctorReport.MediaType);
    }
}
