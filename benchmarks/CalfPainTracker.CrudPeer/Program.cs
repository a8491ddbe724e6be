using Npgsql;
using NpgsqlTypes;

// A plain CRUD endpoint for scripts/bench: POST /api/episodes/{id}/check-ins stores the request
// body as it came (jsonb) with one INSERT and answers 201. No token check, no validation, no
// events, no rules, no outbox: the floor an ordinary ASP.NET + Npgsql service would stand on.
// Configuration: ConnectionStrings__CrudPeer (required), --urls.
var builder = WebApplication.CreateSlimBuilder(args);
builder.Logging.ClearProviders();
var connectionString = builder.Configuration.GetConnectionString("CrudPeer")
    ?? throw new InvalidOperationException("ConnectionStrings__CrudPeer is not set.");
await using var dataSource = NpgsqlDataSource.Create(connectionString);

await using (var create = dataSource.CreateCommand("""
    CREATE TABLE IF NOT EXISTS crud_check_ins (
        id bigserial PRIMARY KEY,
        episode_id uuid NOT NULL,
        body jsonb NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now())
    """))
{
    await create.ExecuteNonQueryAsync();
}

var app = builder.Build();
app.MapGet("/health/live", () => Results.Ok());
app.MapPost("/api/episodes/{episodeId:guid}/check-ins", async (Guid episodeId, HttpRequest request, CancellationToken cancellation) =>
{
    using var reader = new StreamReader(request.Body);
    var body = await reader.ReadToEndAsync(cancellation);
    await using var insert = dataSource.CreateCommand("INSERT INTO crud_check_ins (episode_id, body) VALUES ($1, $2) RETURNING id");
    insert.Parameters.Add(new NpgsqlParameter { Value = episodeId });
    insert.Parameters.Add(new NpgsqlParameter { Value = body, NpgsqlDbType = NpgsqlDbType.Jsonb });
    var id = (long)(await insert.ExecuteScalarAsync(cancellation))!;
    return Results.Created($"/api/episodes/{episodeId}/check-ins/{id}", new StoredCheckIn(id));
});
await app.RunAsync();

internal sealed record StoredCheckIn(long Id);
