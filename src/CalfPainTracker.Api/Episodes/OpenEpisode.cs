using System.Security.Claims;
using CalfPainTracker.Alerts;
using CalfPainTracker.Http;
using CalfPainTracker.Notifications;
using CalfPainTracker.Security;
using Marten;
using Wolverine;
using Wolverine.Http;

namespace CalfPainTracker.Episodes;

public sealed record OpenEpisodeRequest(
    Guid? PatientId,
    string? Side,
    string? SuspectedCause,
    string? OnsetDate,
    string? TimeZone,
    RiskFactorsRequest? RiskFactors);

public sealed record RiskFactorsRequest(
    bool? ActiveCancer,
    bool? RecentImmobilisation,
    bool? BedriddenOrRecentSurgery,
    bool? PreviousDvt);

public sealed record EpisodeCreated(Guid Id);

public static class OpenEpisodeEndpoint
{
    /// <summary>How far back an onset may be: older injuries are not what this tracker is for.</summary>
    public const int MaxOnsetAgeDays = 366;

    [WolverinePost("/api/episodes", Name = "OpenEpisode")]
    public static (IResult, OutgoingMessages) Post(
        OpenEpisodeRequest request, ClaimsPrincipal user, IDocumentSession session, NotificationSettings notifications, TimeProvider clock)
    {
        var caller = Caller.From(user);
        var now = clock.GetUtcNow();
        var errors = new FieldErrors();

        var patientId = caller.Role == Role.Patient ? request.PatientId ?? caller.UserId : errors.Require("patientId", request.PatientId);
        if (caller.Role == Role.Patient && patientId != caller.UserId)
        {
            errors.Add("patientId", "A patient opens episodes for themselves only; leave 'patientId' out.");
        }
        if (patientId == Guid.Empty) errors.Add("patientId", "'patientId' must not be the empty UUID.");

        var side = errors.Enum<Side>("side", request.Side, required: true);
        var cause = errors.Enum<SuspectedCause>("suspectedCause", request.SuspectedCause, required: true);
        var zone = TimeZones.Validate("timeZone", request.TimeZone, errors);
        var onset = errors.Date("onsetDate", request.OnsetDate, required: true);
        if (onset is { } o && zone is not null)
        {
            var today = LocalTime.DayOf(now, zone);
            if (o > today) errors.Add("onsetDate", $"'onsetDate' {o:yyyy-MM-dd} is in the future; today is {today:yyyy-MM-dd} in {request.TimeZone}.");
            if (o < today.AddDays(-MaxOnsetAgeDays)) errors.Add("onsetDate", $"'onsetDate' may be at most {MaxOnsetAgeDays} days ago.");
        }
        if (errors.Any) return (errors.ToResult(), []);

        var risk = request.RiskFactors;
        var id = Guid.CreateVersion7();
        var opened = new EpisodeOpened(
            id,
            patientId!.Value,
            side!.Value,
            cause!.Value,
            onset!.Value,
            request.TimeZone!,
            new RiskFactors(
                risk?.ActiveCancer ?? false,
                risk?.RecentImmobilisation ?? false,
                risk?.BedriddenOrRecentSurgery ?? false,
                risk?.PreviousDvt ?? false),
            now);

        // A physiotherapist who opens an episode is its physiotherapist until someone reassigns it.
        object[] events = caller.Role == Role.Physio
            ? [opened, new PhysiotherapistAssigned(id, caller.UserId, now)]
            : [opened];
        session.Events.StartStream<Episode>(id, events);

        var episode = new Episode();
        episode.Apply(opened);
        var messages = new OutgoingMessages { DailyReminder.Start(session, episode, notifications, now) };
        if (MissedCheckIns.Start(episode, now) is { } followUp) messages.Add(followUp);

        return (TypedResults.Created($"/api/episodes/{id}", new EpisodeCreated(id)), messages);
    }
}

public static class TimeZones
{
    /// <summary>Accepts IANA zone ids ("Europe/London"), the form patients' phones report.</summary>
    public static TimeZoneInfo? Validate(string field, string? id, FieldErrors errors)
    {
        if (string.IsNullOrWhiteSpace(id))
        {
            errors.Add(field, $"'{field}' is required: the patient's IANA time zone, such as 'Europe/London'.");
            return null;
        }
        if (id.Length <= 64 && TimeZoneInfo.TryFindSystemTimeZoneById(id, out var zone) && (zone.HasIanaId || id == "UTC"))
        {
            return zone;
        }
        errors.Add(field, $"'{field}' must be an IANA time zone such as 'Europe/London'.");
        return null;
    }
}
