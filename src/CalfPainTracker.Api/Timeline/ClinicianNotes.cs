using System.Security.Claims;
using CalfPainTracker.Episodes;
using CalfPainTracker.Http;
using CalfPainTracker.Security;
using Marten;
using Microsoft.AspNetCore.Authorization;
using Wolverine.Http;

namespace CalfPainTracker.Timeline;

/// <summary>A clinician wrote on the episode. For clinicians only: never in the patient's history or export.</summary>
public sealed record ClinicianNoteWritten(Guid EpisodeId, Guid NoteId, string Text, Guid By, DateTimeOffset At);

public sealed record WriteNoteRequest(string? Text);

public sealed record ClinicianNote(Guid Id, Guid EpisodeId, string Text, Guid By, DateTimeOffset At);

public static class ClinicianNotesEndpoint
{
    public const int MaxTextLength = 2000;

    /// <summary>The assigned physiotherapist or the clinic administrator; also on a closed episode, where a discharge note belongs.</summary>
    [WolverinePost("/api/episodes/{episodeId}/notes", Name = "WriteClinicianNote")]
    [Authorize(Policy = Policies.Clinician)]
    public static async Task<IResult> Post(
        Guid episodeId, WriteNoteRequest request, ClaimsPrincipal user, IDocumentSession session, TimeProvider clock, CancellationToken cancellation)
    {
        var errors = new FieldErrors();
        if (string.IsNullOrWhiteSpace(request.Text)) errors.Add("text", "'text' is required.");
        else if (request.Text.Length > MaxTextLength) errors.Add("text", $"'text' may hold at most {MaxTextLength} characters; it has {request.Text.Length}.");
        if (errors.Any) return errors.ToResult();

        var caller = Caller.From(user);
        var stream = await session.FetchVisibleForWriting(episodeId, caller, cancellation);
        if (stream is null) return Problems.EpisodeNotFound(episodeId);

        var written = new ClinicianNoteWritten(episodeId, Guid.CreateVersion7(), request.Text!.Trim(), caller.UserId, clock.GetUtcNow());
        stream.AppendOne(written);
        var note = new ClinicianNote(written.NoteId, episodeId, written.Text, written.By, written.At);
        return TypedResults.Created($"/api/episodes/{episodeId}/timeline", note);
    }
}
