using System.Security.Claims;
using CalfPainTracker.Episodes;
using CalfPainTracker.Http;
using CalfPainTracker.Security;
using Marten;
using Microsoft.AspNetCore.Authorization;
using Wolverine.Http;
using Wolverine.Marten;

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
/// event with who and when, so the timeline and the audit show it. One class per route, since
/// each validates its own request before the episode.
/// </summary>
public static class GetAlertTuningEndpoint
{
    [WolverineGet("/api/episodes/{episodeId}/alert-tuning", Name = "GetAlertTuning")]
    [Authorize(Policy = Policies.Clinician)]
    public static async Task<IResult> Get(
        Guid episodeId, ClaimsPrincipal user, IDocumentSession session, RuleSettings settings, TimeProvider clock, CancellationToken cancellation)
    {
        var episode = await session.LoadVisible(episodeId, Caller.From(user), "alert tuning", clock, cancellation);
        return episode is null ? Problems.EpisodeNotFound(episodeId) : TypedResults.Ok(AlertTuningView.Of(episode, settings, clock.GetUtcNow()));
    }
}

public static class SetAlertTuningEndpoint
{
    public static IResult Validate(Guid episodeId, AlertTuningRequest request, Episode? episode, ClaimsPrincipal user)
    {
        var errors = new FieldErrors();
        if (request.PersistentPain is not { } pain) errors.Add("persistentPain", "'persistentPain' is required: { minimumPain, days }.");
        else AlertTuningDecision.CheckPersistentPain(pain.MinimumPain, pain.Days, errors);
        return errors.Any ? errors.ToResult() : Caller.From(user).MayChange(episode, episodeId);
    }

    [WolverinePut("/api/episodes/{episodeId}/alert-tuning", Name = "SetAlertTuning")]
    [Authorize(Policy = Policies.Physio)]
    public static (IResult, Events) Put(
        Guid episodeId, AlertTuningRequest request, [WriteEpisode] Episode episode, ClaimsPrincipal user, RuleSettings settings, TimeProvider clock)
    {
        var now = clock.GetUtcNow();
        var pain = request.PersistentPain!;
        var set = new AlertTuningSet(episodeId, pain.MinimumPain!.Value, pain.Days!.Value, Caller.From(user).UserId, now);
        return AlertTuningChange.Answer(episode, set, episode.Tuning.After(set), settings, now);
    }
}

/// <summary>Back to the clinic's persistent-pain rule; snoozes run on until they end or are lifted.</summary>
public static class RemoveAlertTuningEndpoint
{
    public static IResult Validate(Guid episodeId, Episode? episode, ClaimsPrincipal user) => Caller.From(user).MayChange(episode, episodeId);

    [WolverineDelete("/api/episodes/{episodeId}/alert-tuning", Name = "RemoveAlertTuning")]
    [Authorize(Policy = Policies.Physio)]
    public static (IResult, Events) Delete(Guid episodeId, [WriteEpisode] Episode episode, ClaimsPrincipal user, RuleSettings settings, TimeProvider clock)
    {
        var now = clock.GetUtcNow();
        if (episode.Tuning.PersistentPain is null) return AlertTuningChange.Unchanged(episode, settings, now);
        var removed = new AlertTuningRemoved(episodeId, Caller.From(user).UserId, now);
        return AlertTuningChange.Answer(episode, removed, episode.Tuning.After(removed), settings, now);
    }
}

public static class SnoozeAdviceRuleEndpoint
{
    public static IResult Validate(Guid episodeId, string rule, SnoozeRequest request, Episode? episode, ClaimsPrincipal user, TimeProvider clock)
    {
        if (!WireNames.TryParse<AlertRule>(rule, out var parsed)) return AlertTuningDecision.UnknownRule(rule);
        var caller = Caller.From(user);
        var (_, refused) = AlertTuningDecision.Snooze(parsed, request.Days, request.Reason, episodeId, caller.UserId, clock.GetUtcNow());
        return refused ?? caller.MayChange(episode, episodeId);
    }

    [WolverinePut("/api/episodes/{episodeId}/alert-tuning/snoozes/{rule}", Name = "SnoozeAdviceRule")]
    [Authorize(Policy = Policies.Physio)]
    public static (IResult, Events) Snooze(
        Guid episodeId, string rule, SnoozeRequest request, [WriteEpisode] Episode episode, ClaimsPrincipal user, RuleSettings settings, TimeProvider clock)
    {
        var now = clock.GetUtcNow();
        var (snoozed, _) = AlertTuningDecision.Snooze(WireNames.Parse<AlertRule>(rule), request.Days, request.Reason, episodeId, Caller.From(user).UserId, now);
        return AlertTuningChange.Answer(episode, snoozed!, episode.Tuning.After(snoozed!), settings, now);
    }
}

public static class LiftSnoozeEndpoint
{
    public static IResult Validate(Guid episodeId, string rule, Episode? episode, ClaimsPrincipal user) =>
        WireNames.TryParse<AlertRule>(rule, out _) ? Caller.From(user).MayChange(episode, episodeId) : AlertTuningDecision.UnknownRule(rule);

    [WolverineDelete("/api/episodes/{episodeId}/alert-tuning/snoozes/{rule}", Name = "LiftSnooze")]
    [Authorize(Policy = Policies.Physio)]
    public static (IResult, Events) Lift(Guid episodeId, string rule, [WriteEpisode] Episode episode, ClaimsPrincipal user, RuleSettings settings, TimeProvider clock)
    {
        var now = clock.GetUtcNow();
        var parsed = WireNames.Parse<AlertRule>(rule);
        if (!episode.Tuning.IsSnoozed(parsed, now)) return AlertTuningChange.Unchanged(episode, settings, now);
        var lifted = new AdviceRuleSnoozeLifted(episodeId, parsed, Caller.From(user).UserId, now);
        return AlertTuningChange.Answer(episode, lifted, episode.Tuning.After(lifted), settings, now);
    }
}

/// <summary>Every tuning route answers with the tuning as its change leaves it.</summary>
public static class AlertTuningChange
{
    public static (IResult, Events) Answer(Episode episode, object change, AlertTuning after, RuleSettings settings, DateTimeOffset now) =>
        (TypedResults.Ok(AlertTuningView.Of(episode.Id, after, settings.PersistentPainFor(episode.SuspectedCause), now)), [change]);

    public static (IResult, Events) Unchanged(Episode episode, RuleSettings settings, DateTimeOffset now) =>
        (TypedResults.Ok(AlertTuningView.Of(episode, settings, now)), []);
}
