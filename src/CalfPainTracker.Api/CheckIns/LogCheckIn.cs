using System.Security.Claims;
using CalfPainTracker.Alerts;
using CalfPainTracker.Episodes;
using CalfPainTracker.Http;
using CalfPainTracker.Security;
using CalfPainTracker.Notifications;
using JasperFx.Events;
using JasperFx.MultiTenancy;
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

/// <summary>What the check-in writer answers a request with.</summary>
public sealed record CheckInAnswer(IResult Result, bool Replayed);

public static partial class LogCheckInEndpoint
{
    /// <summary>Only the patient logs their own check-ins; nobody writes them on their behalf.</summary>
    [WolverinePost("/api/episodes/{episodeId}/check-ins", Name = "LogCheckIn")]
    [Authorize(Policy = Policies.Patient)]
    public static async Task<IResult> Post(Guid episodeId, LogCheckInRequest request, ClaimsPrincipal user, TenantId clinic, HttpContext context, CheckInWriter writer)
    {
        // The clinic as Wolverine detected it from the token: the tenant every other route's session is opened for.
        var answer = await writer.Write(new CheckInSubmission(clinic.Value, episodeId, Caller.From(user), request, AuditTrail.CorrelationId(context)));
        // Idempotent resubmission: the same answer as the first time, and nothing appended.
        if (answer.Replayed) context.Response.Headers["Idempotent-Replayed"] = "true";
        return answer.Result;
    }

    /// <summary>What a check-in needs besides the episode, the same for every check-in.</summary>
    public sealed record Dependencies(
        TimeProvider Clock,
        RuleSettings Settings,
        PublicAddress Site,
        IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions> Json,
        ILogger<CheckInWriter> Logger);

    /// <summary>
    /// Decides one check-in on its locked episode: its events go to the stream and its webhook
    /// deliveries to the session; the messages it returns (deliveries, the escalation check, the
    /// missed check-in follow-up) are sent by the <see cref="CheckInWriter"/> in the same commit.
    /// </summary>
    public static async Task<(CheckInAnswer, OutgoingMessages)> Decide(
        IDocumentSession session,
        IEventStream<Episode> stream,
        CheckInSubmission submission,
        Dependencies with)
    {
        var (episodeId, caller, request) = (submission.EpisodeId, submission.Caller, submission.Request);
        if (stream.Aggregate is not { } episode || !caller.CanSee(episode)) return (new(Problems.EpisodeNotFound(episodeId), false), []);

        // A duplicate check-in id is always seen by the second: the writer never puts two
        // check-ins for one episode in the same transaction.
        if (request.CheckInId is { } id && episode.Receipts.TryGetValue(id, out var receipt))
        {
            var alerts = receipt.AlertIds.Select(episode.AlertById).OfType<Alert>().ToList();
            return (new(Accepted(episodeId, new CheckInAccepted(id, receipt.Day, receipt.Correction, alerts)), true), []);
        }

        if (episode.Status == EpisodeStatus.Closed) return (new(Problems.EpisodeClosed(episodeId), false), []);

        var now = with.Clock.GetUtcNow();
        var errors = new FieldErrors();
        var checkIn = request.Validate(episode, episode.LocalDay(now), now, errors);
        if (checkIn is null) return (new(errors.ToResult(), false), []);

        var outcome = CheckInDecision.Decide(episode, checkIn, with.Settings, now, Guid.CreateVersion7);
        stream.AppendMany(outcome.Events.Select(e => Stamped(session, e, submission)));
        var messages = await Notify.Publish(session, episode, outcome.Events, with.Site, with.Json.Value.SerializerOptions, now, CancellationToken.None);
        messages.AddRange(AlertEscalation.ChecksFor(outcome.Events, with.Settings));
        if (MissedCheckIns.Schedule(episode, checkIn.Day, now) is { } followUp) messages.Add(followUp);

        Log(with.Logger, submission, checkIn, outcome);
        return (new(Accepted(episodeId, new CheckInAccepted(checkIn.CheckInId, checkIn.Day, outcome.Correction, outcome.Alerts)), false), messages);
    }

    /// <summary>The audit trail of one request (<see cref="AuditTrail"/>) on an event that shares its session with other requests'.</summary>
    private static IEvent Stamped(IDocumentSession session, object data, CheckInSubmission submission)
    {
        var stamped = session.Events.BuildEvent(data);
        stamped.CorrelationId = submission.CorrelationId;
        stamped.UserName = submission.Caller.UserId.ToString();
        stamped.SetHeader(AuditTrail.RoleHeader, WireNames.Of(submission.Caller.Role));
        return stamped;
    }

    /// <summary>Identifiers and rule names only: the notes and answers stay in the event store.</summary>
    private static void Log(ILogger logger, CheckInSubmission submission, CheckIn checkIn, CheckInOutcome outcome)
    {
        var raised = outcome.Alerts.Where(a => outcome.Events.Any(e => e is AlertRaised r && r.AlertId == a.Id || e is AlertSeverityRaised s && s.AlertId == a.Id)).ToList();
        if (raised.Count == 0 && !logger.IsEnabled(LogLevel.Debug)) return;
        // The writer runs outside the request, so its lines get the request's correlation id as every log line of a request has it.
        using var scope = logger.BeginScope(new Dictionary<string, object> { ["CorrelationId"] = submission.CorrelationId });
        if (raised.Count > 0) LogAlertsRaised(logger, checkIn.CheckInId, submission.EpisodeId, Rules(raised));
        else LogStored(logger, checkIn.CheckInId, submission.EpisodeId, outcome.Correction ? "correction" : "new", Rules(outcome.Alerts));
    }

    private static string Rules(IEnumerable<Alert> alerts) => string.Join(",", alerts.Select(a => WireNames.Of(a.Rule)));

    /// <summary>
    /// Debug, not Information: the event store already records every check-in with its correlation
    /// id, patient and time, and a JSON line per check-in (about 900 bytes) made the log grow with
    /// the traffic. A check-in that raises an alert is logged as Information (<see cref="LogAlertsRaised"/>).
    /// </summary>
    [LoggerMessage(LogLevel.Debug, "Check-in {CheckInId} stored on episode {EpisodeId} ({Kind}); alerts shown: [{Alerts}]")]
    private static partial void LogStored(ILogger logger, Guid checkInId, Guid episodeId, string kind, string alerts);

    [LoggerMessage(LogLevel.Information, "Check-in {CheckInId} on episode {EpisodeId} raised [{Alerts}]")]
    private static partial void LogAlertsRaised(ILogger logger, Guid checkInId, Guid episodeId, string alerts);

    private static Microsoft.AspNetCore.Http.HttpResults.Created<CheckInAccepted> Accepted(Guid episodeId, CheckInAccepted accepted) =>
        TypedResults.Created($"/api/episodes/{episodeId}/check-ins?from={accepted.Day:yyyy-MM-dd}&to={accepted.Day:yyyy-MM-dd}", accepted);
}
