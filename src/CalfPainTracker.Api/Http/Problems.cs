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
}
