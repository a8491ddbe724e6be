using System.Security.Claims;
using CalfPainTracker.Alerts;
using CalfPainTracker.Episodes;
using CalfPainTracker.Http;
using CalfPainTracker.Security;
using CalfPainTracker.Notifications;
using Marten;
using Microsoft.Extensions.Options;
using Microsoft.AspNetCore.Authorization;
using Wolverine;
using Wolverine.Http;

namespace CalfPainTracker.CheckIns;

/// <summary>
/// A check-in as it arrives: every field nullable and every enumeration a string, so that
/// what is missing or unknown is reported field by field instead of failing deserialisation.
/// </summary>
public sealed record LogCheckInRequest(
    Guid? CheckInId,
    string? Day,
    int? PainLevel,
    bool? PainAtRest,
    bool? PainAtNight,
    string? Swelling,
    bool? SwellingAtAnkle,
    CalfCircumferenceRequest? CalfCircumferenceCm,
    decimal? RestHours,
    int? IceMinutes,
    int? HeatMinutes,
    int? StretchingMinutes,
    bool? NsaidTaken,
    bool? CanWalkComfortably,
    string?[]? Symptoms,
    string? Notes)
{
    public const int MaxNotesLength = 2000;

    /// <summary>Checks every field against the contract and the episode; returns the check-in or the errors.</summary>
    public CheckIn? Validate(Episode episode, DateOnly today, DateTimeOffset now, FieldErrors errors)
    {
        var checkInId = errors.Require("checkInId", CheckInId);
        if (checkInId == Guid.Empty) errors.Add("checkInId", "'checkInId' must not be the empty UUID.");

        var day = errors.Date("day", Day, required: true);
        if (day is { } d)
        {
            if (d > today) errors.Add("day", $"'day' {d:yyyy-MM-dd} is in the future; today is {today:yyyy-MM-dd} in {episode.TimeZone}.");
            if (d < episode.OnsetDate) errors.Add("day", $"'day' {d:yyyy-MM-dd} is before the onset of this episode ({episode.OnsetDate:yyyy-MM-dd}).");
        }

        errors.InRange("painLevel", errors.Require("painLevel", PainLevel), 0, 10);
        var swelling = errors.Enum<Swelling>("swelling", Swelling, required: true);
        var canWalk = errors.Require("canWalkComfortably", CanWalkComfortably);

        CalfCircumference? circumference = null;
        if (CalfCircumferenceCm is { } c)
        {
            var affected = errors.Require("calfCircumferenceCm.affected", c.Affected);
            var other = errors.Require("calfCircumferenceCm.other", c.Other);
            errors.InRange("calfCircumferenceCm.affected", affected, 10, 100);
            errors.InRange("calfCircumferenceCm.other", other, 10, 100);
            if (affected is { } a && other is { } o) circumference = new CalfCircumference(a, o);
        }

        errors.InRange("restHours", RestHours, 0, 24);
        errors.InRange("iceMinutes", IceMinutes, 0, 1440);
        errors.InRange("heatMinutes", HeatMinutes, 0, 1440);
        errors.InRange("stretchingMinutes", StretchingMinutes, 0, 1440);

        var symptoms = new List<Symptom>();
        foreach (var (text, index) in (Symptoms ?? []).Select((s, i) => (s, i)))
        {
            if (errors.Enum<Symptom>($"symptoms[{index}]", text, required: true) is { } symptom && !symptoms.Contains(symptom))
            {
                symptoms.Add(symptom);
            }
        }

        if (Notes is { Length: > MaxNotesLength })
        {
            errors.Add("notes", $"'notes' may hold at most {MaxNotesLength} characters; it has {Notes.Length}.");
        }

        if (errors.Any) return null;

        return new CheckIn(
            checkInId!.Value,
            day!.Value,
            PainLevel!.Value,
            PainAtRest ?? false,
            PainAtNight ?? false,
            swelling!.Value,
            SwellingAtAnkle ?? false,
            circumference,
            RestHours ?? 0,
            IceMinutes ?? 0,
            HeatMinutes ?? 0,
            StretchingMinutes ?? 0,
            NsaidTaken ?? false,
            canWalk!.Value,
            symptoms,
            string.IsNullOrWhiteSpace(Notes) ? null : Notes.Trim(),
            now);
    }
}

public sealed record CalfCircumferenceRequest(decimal? Affected, decimal? Other);

/// <summary>
/// What a check-in produced, with the advice of every alert it showed; a resubmission of the
/// same check-in id gets the same answer (the alerts as they stand now).
/// </summary>
public sealed record CheckInAccepted(Guid CheckInId, DateOnly Day, bool Correction, IReadOnlyList<Alert> Alerts)
{
    public string Disclaimer => CalfPainTracker.Alerts.Disclaimer.Text;
}

public static partial class LogCheckInEndpoint
{
    /// <summary>Only the patient logs their own check-ins; nobody writes them on their behalf.</summary>
    [WolverinePost("/api/episodes/{episodeId}/check-ins", Name = "LogCheckIn")]
    [Authorize(Policy = Policies.Patient)]
    public static async Task<IResult> Post(
        Guid episodeId,
        LogCheckInRequest request,
        ClaimsPrincipal user,
        HttpResponse response,
        IDocumentSession session,
        IMessageBus bus,
        TimeProvider clock,
        RuleSettings settings,
        PublicAddress site,
        IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions> json,
        ILoggerFactory loggers,
        CancellationToken cancellation)
    {
        var caller = Caller.From(user);

        // Two check-ins for one episode are applied one after the other (both land), and a
        // duplicate check-in id is always seen by the second.
        var stream = await session.FetchVisibleForWriting(episodeId, caller, cancellation);
        if (stream?.Aggregate is not { } episode) return Problems.EpisodeNotFound(episodeId);

        if (request.CheckInId is { } id && episode.Receipts.TryGetValue(id, out var receipt))
        {
            // Idempotent resubmission: the same answer as the first time, and nothing appended.
            response.Headers["Idempotent-Replayed"] = "true";
            var alerts = receipt.AlertIds.Select(episode.AlertById).OfType<Alert>().ToList();
            return Accepted(episodeId, new CheckInAccepted(id, receipt.Day, receipt.Correction, alerts));
        }

        if (episode.Status == EpisodeStatus.Closed) return Problems.EpisodeClosed(episodeId);

        var now = clock.GetUtcNow();
        var errors = new FieldErrors();
        var checkIn = request.Validate(episode, episode.LocalDay(now), now, errors);
        if (checkIn is null) return errors.ToResult();

        var outcome = CheckInDecision.Decide(episode, checkIn, settings, now, Guid.CreateVersion7);
        stream.AppendMany(outcome.Events);
        await AlertEscalation.ScheduleFor(outcome.Events, bus, settings);
        foreach (var message in await Notify.Publish(session, episode, outcome.Events, site, json.Value.SerializerOptions, now, cancellation)) await bus.PublishAsync(message);
        if (episode.Latest is null || checkIn.Day > episode.Latest.Day)
        {
            await MissedCheckIns.Schedule(episode, checkIn.Day, bus, now);
        }

        // Identifiers and rule names only: the notes and answers stay in the event store.
        LogStored(loggers.CreateLogger(typeof(LogCheckInEndpoint)), checkIn.CheckInId, episodeId, outcome.Correction ? "correction" : "new",
            string.Join(",", outcome.Alerts.Select(a => WireNames.Of(a.Rule))));
        return Accepted(episodeId, new CheckInAccepted(checkIn.CheckInId, checkIn.Day, outcome.Correction, outcome.Alerts));
    }

    [LoggerMessage(LogLevel.Information, "Check-in {CheckInId} stored on episode {EpisodeId} ({Kind}); alerts shown: [{Alerts}]")]
    private static partial void LogStored(ILogger logger, Guid checkInId, Guid episodeId, string kind, string alerts);

    private static Microsoft.AspNetCore.Http.HttpResults.Created<CheckInAccepted> Accepted(Guid episodeId, CheckInAccepted accepted) =>
        TypedResults.Created($"/api/episodes/{episodeId}/check-ins?from={accepted.Day:yyyy-MM-dd}&to={accepted.Day:yyyy-MM-dd}", accepted);
}
