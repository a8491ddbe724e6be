using System.Security.Claims;
using CalfPainTracker.Episodes;
using CalfPainTracker.Http;
using CalfPainTracker.Security;
using Marten;
using Microsoft.AspNetCore.Authorization;
using Wolverine.Http;

namespace CalfPainTracker.Alerts;

public sealed record PersistentPainTuningRequest(int? MinimumPain, int? Days);

public sealed record AlertTuningRequest(PersistentPainTuningRequest? PersistentPain);

public sealed record SnoozeRequest(int? Days, string? Reason);

/// <summary>The episode's tuning as the dashboard shows it: what differs from the clinic's rules, by whom and when.</summary>
public sealed record AlertTuningView(
    Guid EpisodeId,
    PersistentPainThreshold ClinicPersistentPain,
    PersistentPainTuning? PersistentPain,
    IReadOnlyList<RuleSnooze> Snoozes,
    IReadOnlyList<AlertRule> TunableRules)
{
    public static AlertTuningView Of(Episode episode, RuleSettings settings, DateTimeOffset now) =>
        Of(episode.Id, episode.Tuning, settings.PersistentPainFor(episode.SuspectedCause), now);

    public static AlertTuningView Of(Guid episodeId, AlertTuning tuning, PersistentPainThreshold clinic, DateTimeOffset now) => new(
        episodeId, clinic, tuning.PersistentPain, tuning.Snoozes.Where(s => s.Until > now).ToList(), [.. AlertTuning.Tunable.Order()]);
}

/// <summary>Pure checks of a tuning request, apart from the endpoints so that the bounds are tested without a host.</summary>
public static class AlertTuningDecision
{
    public static void CheckPersistentPain(int? minimumPain, int? days, FieldErrors errors)
    {
        errors.InRange("persistentPain.minimumPain", errors.Require("persistentPain.minimumPain", minimumPain), AlertTuning.MinimumPainFloor, AlertTuning.MinimumPainCeiling);
        errors.InRange("persistentPain.days", errors.Require("persistentPain.days", days), AlertTuning.DaysFloor, AlertTuning.DaysCeiling);
    }

    /// <summary>The snooze, or why not: a rule that can find a clot, an infection, a rupture or an emergency is never silenced.</summary>
    public static (AdviceRuleSnoozed? Event, IResult? Problem) Snooze(AlertRule rule, int? days, string? reason, Guid episodeId, Guid by, DateTimeOffset now)
    {
        if (!AlertTuning.Tunable.Contains(rule)) return (null, NotTunable(rule));
        var errors = new FieldErrors();
        errors.InRange("days", errors.Require("days", days), 1, AlertTuning.MaxSnoozeDays);
        if (string.IsNullOrWhiteSpace(reason)) errors.Add("reason", "'reason' is required: say why this patient's alerts of this kind may wait.");
        else if (reason.Length > AlertTuning.MaxReasonLength) errors.Add("reason", $"'reason' may hold at most {AlertTuning.MaxReasonLength} characters.");
        if (errors.Any) return (null, errors.ToResult());
        return (new AdviceRuleSnoozed(episodeId, rule, now.AddDays(days!.Value), reason!.Trim(), by, now), null);
    }

    public static IResult NotTunable(AlertRule rule) => TypedResults.Problem(
        statusCode: StatusCodes.Status400BadRequest,
        title: "This rule cannot be tuned",
        detail: $"The rule '{WireNames.Of(rule)}' can find a clot, an infection, a rupture or an emergency, so it always alerts. " +
                $"Rules that can be tuned for a patient: {string.Join(", ", AlertTuning.Tunable.Order().Select(r => $"'{WireNames.Of(r)}'"))}.",
        extensions: new Dictionary<string, object?> { ["rule"] = WireNames.Of(rule) });

    public static IResult UnknownRule(string text) => TypedResults.Problem(
        statusCode: StatusCodes.Status400BadRequest,
        title: "Unknown rule",
        detail: $"'{(text.Length > 40 ? text[..40] + "…" : text)}' is not a rule; use one of {WireNames.Allowed<AlertRule>()}.");
}

/// <summary>
/// The assigned physiotherapist tunes the advice rules for one patient. Every change is an
/// event with who and when, so the timeline and the audit show it.
/// </summary>
public static class TuneAlertsEndpoints
{
    [WolverineGet("/api/episodes/{episodeId}/alert-tuning", Name = "GetAlertTuning")]
    [Authorize(Policy = Policies.Clinician)]
    public static async Task<IResult> Get(
        Guid episodeId, ClaimsPrincipal user, IDocumentSession session, RuleSettings settings, TimeProvider clock, CancellationToken cancellation)
    {
        var episode = await session.LoadVisible(episodeId, Caller.From(user), "alert tuning", clock, cancellation);
        return episode is null ? Problems.EpisodeNotFound(episodeId) : TypedResults.Ok(AlertTuningView.Of(episode, settings, clock.GetUtcNow()));
    }

    [WolverinePut("/api/episodes/{episodeId}/alert-tuning", Name = "SetAlertTuning")]
    [Authorize(Policy = Policies.Physio)]
    public static async Task<IResult> Put(
        Guid episodeId, AlertTuningRequest request, ClaimsPrincipal user, IDocumentSession session, RuleSettings settings, TimeProvider clock, CancellationToken cancellation)
    {
        var errors = new FieldErrors();
        if (request.PersistentPain is not { } pain) errors.Add("persistentPain", "'persistentPain' is required: { minimumPain, days }.");
        else AlertTuningDecision.CheckPersistentPain(pain.MinimumPain, pain.Days, errors);
        if (errors.Any) return errors.ToResult();

        var caller = Caller.From(user);
        var (stream, problem) = await session.FetchOpenForWriting(episodeId, caller, cancellation);
        if (stream is null) return problem!;
        var now = clock.GetUtcNow();
        return Changed(stream, new AlertTuningSet(episodeId, request.PersistentPain!.MinimumPain!.Value, request.PersistentPain.Days!.Value, caller.UserId, now), settings, now);
    }

    /// <summary>Back to the clinic's persistent-pain rule; snoozes run on until they end or are lifted.</summary>
    [WolverineDelete("/api/episodes/{episodeId}/alert-tuning", Name = "RemoveAlertTuning")]
    [Authorize(Policy = Policies.Physio)]
    public static async Task<IResult> Delete(
        Guid episodeId, ClaimsPrincipal user, IDocumentSession session, RuleSettings settings, TimeProvider clock, CancellationToken cancellation)
    {
        var caller = Caller.From(user);
        var (stream, problem) = await session.FetchOpenForWriting(episodeId, caller, cancellation);
        if (stream is null) return problem!;
        var now = clock.GetUtcNow();
        return stream.Aggregate!.Tuning.PersistentPain is null
            ? TypedResults.Ok(AlertTuningView.Of(stream.Aggregate, settings, now))
            : Changed(stream, new AlertTuningRemoved(episodeId, caller.UserId, now), settings, now);
    }

    [WolverinePut("/api/episodes/{episodeId}/alert-tuning/snoozes/{rule}", Name = "SnoozeAdviceRule")]
    [Authorize(Policy = Policies.Physio)]
    public static async Task<IResult> Snooze(
        Guid episodeId, string rule, SnoozeRequest request, ClaimsPrincipal user, IDocumentSession session, RuleSettings settings, TimeProvider clock, CancellationToken cancellation)
    {
        if (!WireNames.TryParse<AlertRule>(rule, out var parsed)) return AlertTuningDecision.UnknownRule(rule);
        var caller = Caller.From(user);
        var now = clock.GetUtcNow();
        var (snoozed, refused) = AlertTuningDecision.Snooze(parsed, request.Days, request.Reason, episodeId, caller.UserId, now);
        if (refused is not null) return refused;

        var (stream, problem) = await session.FetchOpenForWriting(episodeId, caller, cancellation);
        if (stream is null) return problem!;
        return Changed(stream, snoozed!, settings, now);
    }

    [WolverineDelete("/api/episodes/{episodeId}/alert-tuning/snoozes/{rule}", Name = "LiftSnooze")]
    [Authorize(Policy = Policies.Physio)]
    public static async Task<IResult> Lift(
        Guid episodeId, string rule, ClaimsPrincipal user, IDocumentSession session, RuleSettings settings, TimeProvider clock, CancellationToken cancellation)
    {
        if (!WireNames.TryParse<AlertRule>(rule, out var parsed)) return AlertTuningDecision.UnknownRule(rule);
        var caller = Caller.From(user);
        var (stream, problem) = await session.FetchOpenForWriting(episodeId, caller, cancellation);
        if (stream is null) return problem!;
        var now = clock.GetUtcNow();
        return stream.Aggregate!.Tuning.IsSnoozed(parsed, now)
            ? Changed(stream, new AdviceRuleSnoozeLifted(episodeId, parsed, caller.UserId, now), settings, now)
            : TypedResults.Ok(AlertTuningView.Of(stream.Aggregate, settings, now));
    }

    private static Microsoft.AspNetCore.Http.HttpResults.Ok<AlertTuningView> Changed(JasperFx.Events.IEventStream<Episode> stream, object change, RuleSettings settings, DateTimeOffset now)
    {
        stream.AppendOne(change);
        var episode = stream.Aggregate!;
        var tuning = episode.Tuning.Copy();
        switch (change)
        {
            case AlertTuningSet e: tuning.Apply(e); break;
            case AlertTuningRemoved e: tuning.Apply(e); break;
            case AdviceRuleSnoozed e: tuning.Apply(e); break;
            case AdviceRuleSnoozeLifted e: tuning.Apply(e); break;
        }
        return TypedResults.Ok(AlertTuningView.Of(episode.Id, tuning, settings.PersistentPainFor(episode.SuspectedCause), now));
    }
}
