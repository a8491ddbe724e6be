using System.Security.Claims;
using CalfPainTracker.Episodes;
using CalfPainTracker.Http;
using CalfPainTracker.Security;
using Marten;
using Microsoft.AspNetCore.Authorization;
using Wolverine.Http;

namespace CalfPainTracker.Trends;

/// <summary>A Lower Extremity Functional Scale questionnaire (Binkley 1999), answered on the patient's local day.</summary>
public sealed record LefsAnswered(Guid EpisodeId, DateOnly Day, IReadOnlyList<int> Answers, int Total, DateTimeOffset At);

public sealed record LefsRequest(int?[]? Answers);

public sealed record LefsRecorded(DateOnly Day, int Total, int MaximumTotal, int MinimalClinicallyImportantDifference);

public static class AnswerLefsEndpoint
{
    [WolverinePost("/api/episodes/{episodeId}/questionnaires/lefs", Name = "AnswerLefs")]
    [Authorize(Policy = Policies.Patient)]
    public static async Task<IResult> Post(
        Guid episodeId, LefsRequest request, ClaimsPrincipal user, IDocumentSession session, TimeProvider clock, CancellationToken cancellation)
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
        if (errors.Any) return errors.ToResult();

        var (stream, problem) = await session.FetchOpenForWriting(episodeId, Caller.From(user), cancellation);
        if (stream is null) return problem!;

        var now = clock.GetUtcNow();
        var scores = answers!.Select(a => a!.Value).ToList();
        var day = stream.Aggregate!.LocalDay(now);
        var total = Lefs.Score(scores);
        stream.AppendOne(new LefsAnswered(episodeId, day, scores, total, now));
        return TypedResults.Created($"/api/episodes/{episodeId}/trend",
            new LefsRecorded(day, total, Lefs.Items * Lefs.MaxPerItem, Lefs.MinimalClinicallyImportantDifference));
    }
}
