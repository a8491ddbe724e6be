namespace CalfPainTracker.Http;

/// <summary>The problem answers shared by every slice, so the same situation always reads the same.</summary>
public static class Problems
{
    /// <summary>
    /// Unknown and not-yours look the same, so an id from another patient or clinic reveals
    /// nothing about whether it exists.
    /// </summary>
    public static IResult EpisodeNotFound(Guid id) => TypedResults.Problem(
        statusCode: StatusCodes.Status404NotFound,
        title: "Episode not found",
        detail: $"No recovery episode {id} is visible to you.");

    public static IResult EpisodeClosed(Guid id) => TypedResults.Problem(
        statusCode: StatusCodes.Status409Conflict,
        title: "Episode is closed",
        detail: $"Recovery episode {id} has been closed; nothing more can be recorded on it. Open a new episode to keep tracking.");

    /// <summary>As for episodes: an alert of someone else's patient looks the same as none.</summary>
    public static IResult AlertNotFound(Guid id) => TypedResults.Problem(
        statusCode: StatusCodes.Status404NotFound,
        title: "Alert not found",
        detail: $"No alert {id} is visible to you.");

    public static IResult AlertResolvedAlready(Guid id) => TypedResults.Problem(
        statusCode: StatusCodes.Status409Conflict,
        title: "Alert already resolved",
        detail: $"Alert {id} has been resolved. If the problem comes back, the next check-in raises a new alert.");

    public static IResult AlertClearedAlready(Guid id) => TypedResults.Problem(
        statusCode: StatusCodes.Status409Conflict,
        title: "Alert already cleared",
        detail: $"Alert {id} was cleared by the service: its condition did not show on the patient's later check-ins. If it comes back, the next check-in raises a new alert.");

    public static IResult WebhookNotFound(Guid id) => TypedResults.Problem(
        statusCode: StatusCodes.Status404NotFound,
        title: "Webhook not found",
        detail: $"Your clinic has no webhook {id}, or no such delivery.");
}
