using System.Security.Claims;
using CalfPainTracker.Episodes;
using CalfPainTracker.Http;
using CalfPainTracker.Security;
using Microsoft.AspNetCore.Authorization;
using Wolverine.Http;
using Wolverine.Marten;

namespace CalfPainTracker.Trends;

/// <summary>A Lower Extremity Functional Scale questionnaire (Binkley 1999), answered on the patient's local day.</summary>
public sealed record LefsAnswered(Guid EpisodeId, DateOnly Day, IReadOnlyList<int> Answers, int Total, DateTimeOffset At);

public sealed record LefsRequest(int?[]? Answers);

public sealed record LefsRecorded(DateOnly Day, int Total, int MaximumTotal, int MinimalClinicallyImportantDifference);

public static class AnswerLefsEndpoint
{
    public static IResult Validate(Guid episodeId, LefsRequest request, Episode? episode, ClaimsPrincipal user)
    {
        var errors = new FieldErrors();
        var answers = request.Answers;
        if (answers is null || answers.Length != Lefs.Items)
        {
            errors.Add("answers", $"'answers' must hold exactly {Lefs.Items} answers, one per item; it has {answers?.Length ?? 0}.");
        }
        else
        {
            for (var i = 0; i < answers.Length; i++)
            {
                if (answers[i] is not (>= 0 and <= 4)) errors.Add($"answers[{i}]", $"Each answer is 0 (extreme difficulty) to 4 (no difficulty); item {i + 1} was {answers[i]?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "missing"}.");
            }
        }
        return errors.Any ? errors.ToResult() : Caller.From(user).MayChange(episode, episodeId);
    }

    [WolverinePost("/api/episodes/{episodeId}/questionnaires/lefs", Name = "AnswerLefs")]
    [Authorize(Policy = Policies.Patient)]
    public static (IResult, Events) Post(Guid episodeId, LefsRequest request, [WriteEpisode] Episode episode, TimeProvider clock)
    {
        var now = clock.GetUtcNow();
        var scores = request.Answers!.Select(a => a!.Value).ToList();
        var day = episode.LocalDay(now);
        var total = Lefs.Score(scores);
        return (TypedResults.Created($"/api/episodes/{episodeId}/trend", new LefsRecorded(day, total, Lefs.Items * Lefs.MaxPerItem, Lefs.MinimalClinicallyImportantDifference)),
            [new LefsAnswered(episodeId, day, scores, total, now)]);
    }
}
