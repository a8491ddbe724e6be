using System.Buffers.Text;
using System.Text.Json;
using CalfPainTracker.MartenPeer;
using JasperFx;
using JasperFx.Events;
using JasperFx.Events.Projections;
using JasperFx.MultiTenancy;
using Marten;
using Weasel.Core;

// Marten peers for scripts/bench: POST /api/episodes/{id}/check-ins appends one check-in event
// with Marten and answers 201, taking the very requests the service and the CRUD peer take.
//   bare    Events.Append + SaveChangesAsync: no read, no projection, no tenancy. What an event
//           store costs at its simplest.
//   shaped  the service's store shape: each clinic a conjoined tenant, the episode kept as an
//           inline snapshot that grows with every check-in as the service's Episode does,
//           FetchForExclusiveWriting, one event, commit.
// Neither checks the token, validates the check-in, runs rules, writes an outbox or uses
// Wolverine: the gap between `shaped` and the service is what those cost, with the service's
// second inline document (the triage) and its event metadata.
// Configuration: ConnectionStrings__MartenPeer (required), MartenPeer__Mode (bare or shaped), --urls.
// Each mode has a schema of its own, marten_peer_{mode}, made at start-up.
var builder = WebApplication.CreateSlimBuilder(args);
builder.Logging.ClearProviders();
var connectionString = builder.Configuration.GetConnectionString("MartenPeer")
    ?? throw new InvalidOperationException("ConnectionStrings__MartenPeer is not set.");
var mode = builder.Configuration["MartenPeer:Mode"] switch
{
    "bare" => PeerMode.Bare,
    "shaped" => PeerMode.Shaped,
    var other => throw new InvalidOperationException($"MartenPeer__Mode must be bare or shaped, not '{other}'."),
};

builder.Services.AddMarten(opts =>
    {
        opts.Connection(connectionString);
        opts.DatabaseSchemaName = mode == PeerMode.Bare ? "marten_peer_bare" : "marten_peer_shaped";
        opts.AutoCreateSchemaObjects = AutoCreate.CreateOrUpdate;
        // As the service serialises, so that events and snapshots are the same JSON size.
        opts.UseSystemTextJsonForSerialization(EnumStorage.AsString, Casing.CamelCase);
        if (mode == PeerMode.Shaped)
        {
            opts.Policies.AllDocumentsAreMultiTenanted();
            opts.Events.TenancyStyle = TenancyStyle.Conjoined;
            opts.Projections.Snapshot<EpisodeSnapshot>(SnapshotLifecycle.Inline);
        }
    })
    .UseLightweightSessions()
    .ApplyAllDatabaseChangesOnStartup();

var app = builder.Build();
app.MapGet("/health/live", () => Results.Ok());
const string CheckIns = "/api/episodes/{episodeId:guid}/check-ins";
if (mode == PeerMode.Bare) app.MapPost(CheckIns, AppendBare); else app.MapPost(CheckIns, AppendShaped);
await app.RunAsync();

// Nothing locks the stream here: two check-ins for one episode at the same moment read the same
// version and the later insert fails on (stream, version). That one is tried again, as a client
// of a bare append would, so the load meets no error the service (which locks) would not give.
static async Task<IResult> AppendBare(Guid episodeId, CheckInBody checkIn, IDocumentStore store, CancellationToken cancellation)
{
    var logged = new CheckInLogged(episodeId, checkIn, DateTimeOffset.UtcNow);
    while (true)
    {
        await using var session = store.LightweightSession();
        session.Events.Append(episodeId, logged);
        try
        {
            await session.SaveChangesAsync(cancellation);
            return Stored(episodeId, checkIn);
        }
        catch (EventStreamUnexpectedMaxEventIdException)
        {
            // The next attempt reads the version the other check-in left.
        }
    }
}

static async Task<IResult> AppendShaped(
    Guid episodeId, CheckInBody checkIn, HttpRequest request, IDocumentStore store, CancellationToken cancellation)
{
    await using var session = store.LightweightSession(ClinicOf(request));
    var stream = await session.Events.FetchForExclusiveWriting<EpisodeSnapshot>(episodeId, cancellation);
    var now = DateTimeOffset.UtcNow;
    // The load's episodes were opened in the service's store, not here: the first check-in for
    // one opens it in this store, so that every later one finds an episode to lock and grow.
    if (stream.Aggregate is null) stream.AppendOne(new EpisodeOpened(episodeId, now));
    stream.AppendOne(new CheckInLogged(episodeId, checkIn, now));
    await session.SaveChangesAsync(cancellation);
    return Stored(episodeId, checkIn);
}

static IResult Stored(Guid episodeId, CheckInBody checkIn) =>
    Results.Created($"/api/episodes/{episodeId}/check-ins?from={checkIn.Day:yyyy-MM-dd}&to={checkIn.Day:yyyy-MM-dd}", new CheckInStored(checkIn.CheckInId, checkIn.Day));

// The clinic named in the request's token, read without checking the signature (the peer does no
// auth), so that the rows carry the same clinics, as tenants, as the service's. A request
// without one (curl by hand) lands in a tenant of its own.
static string ClinicOf(HttpRequest request)
{
    const string NoClinic = "no-clinic";
    var parts = request.Headers.Authorization.ToString().Split('.');
    if (parts.Length != 3) return NoClinic;
    using var claims = JsonDocument.Parse(Base64Url.DecodeFromChars(parts[1]));
    return claims.RootElement.TryGetProperty("clinic", out var clinic) ? clinic.GetString() ?? NoClinic : NoClinic;
}

internal enum PeerMode { Bare, Shaped }

internal sealed record CheckInStored(Guid CheckInId, DateOnly Day);
