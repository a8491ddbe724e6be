using System.Security.Claims;
using CalfPainTracker.Episodes;
using CalfPainTracker.Http;
using CalfPainTracker.Security;
using Microsoft.AspNetCore.Authorization;
using Wolverine.Http;
using Wolverine.Marten;

namespace CalfPainTracker.Timeline;

/// <summary>A clinician wrote on the episode. For clinicians only: never in the patient's history or export.</summary>
public sealed record ClinicianNoteWritten(Guid EpisodeId, Guid NoteId, string Text, Guid By, DateTimeOffset At);

public sealed record WriteNoteRequest(string? Text);

public sealed record ClinicianNote(Guid Id, Guid EpisodeId, string Text, Guid By, DateTimeOffset At);

public static class ClinicianNotesEndpoint
{
    public const int MaxTextLength = 2000;

    /// <summary>Only visibility: a note may also go on a closed episode, where a discharge note belongs.</summary>
    public static IResult Validate(Guid episodeId, WriteNoteRequest request, Episode? episode, ClaimsPrincipal user)
    {
        var errors = new FieldErrors();
        if (string.IsNullOrWhiteSpace(request.Text)) errors.Add("text", "'text' is required.");
        else if (request.Text.Length > MaxTextLength) errors.Add("text", $"'text' may hold at most {MaxTextLength} characters; it has {request.Text.Length}.");
        return errors.Any ? errors.ToResult() : Caller.From(user).MaySee(episode, episodeId);
    }

    /// <summary>The assigned physiotherapist or the clinic administrator.</summary>
    [WolverinePost("/api/episodes/{episodeId}/notes", Name = "WriteClinicianNote")]
    [Authorize(Policy = Policies.Clinician)]
    public static (IResult, Events) Post(Guid episodeId, WriteNoteRequest request, [WriteEpisode] Episode episode, ClaimsPrincipal user, TimeProvider clock)
    {
        var written = new ClinicianNoteWritten(episodeId, Guid.CreateVersion7(), request.Text!.Trim(), Caller.From(user).UserId, clock.GetUtcNow());
        var note = new ClinicianNote(written.NoteId, episodeId, written.Text, written.By, written.At);
        return (TypedResults.Created($"/api/episodes/{episodeId}/timeline", note), [written]);
    }
}
