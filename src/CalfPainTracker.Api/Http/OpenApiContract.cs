using System.Text.Json.Nodes;
using CalfPainTracker.CheckIns;
using CalfPainTracker.Notifications;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace CalfPainTracker.Http;

/// <summary>
/// What the served OpenAPI document (/openapi/v1.json, committed as openapi/v1.json) says
/// beyond the routes and shapes: how to authenticate, which problems each operation can
/// answer, the live stream's format, and the examples and descriptions a client developer
/// reads. Client tooling (Redocly's lint, openapi-typescript) takes it without errors.
/// </summary>
public static class OpenApiContract
{
    public const string Bearer = "Bearer";
    public const string OpenIdConnect = "OpenIdConnect";
    private const string ProblemJson = "application/problem+json";

    /// <summary>What the generator calls the body of a handler returning IResult: no shape a client can use.</summary>
    private const string UntypedResult = "IResult";

    /// <summary>Tags by the slice's namespace, so operations group by what they are about, not by class.</summary>
    private static readonly (string Namespace, string Name, string Description)[] Tags =
    [
        ("Episodes", "Episodes", "A patient's recovery episode: opening, the physiotherapist and treatment plan, closing."),
        ("CheckIns", "Check-ins", "The patient's daily check-in of pain, swelling and care, and the alerts it raises."),
        ("Alerts", "Alerts", "Clinical alerts raised from check-ins, the Wells exam, acknowledgement and resolution."),
        ("Trends", "Trends", "The episode's pain trend and the LEFS questionnaire."),
        ("Dashboard", "Dashboard", "A clinician's triage list of patients, and the live stream of their check-ins and alerts."),
        ("Export", "Exports", "FHIR, CSV and the PDF doctor report, and share links that open the report without signing in."),
        ("Notifications", "Notifications", "Webhooks a clinic receives alerts on, Web Push reminders to the patient's browsers, and the live stream the dashboard listens to."),
        ("PatientRights", "Patient rights", "A patient's copy of their data, and erasing it."),
        ("Security", "Audit", "Who read which patient's record, for the clinic's administrator."),
    ];

    public static WebApplicationBuilder AddCalfPainOpenApi(this WebApplicationBuilder builder)
    {
        var publicUrl = builder.Configuration["PublicUrl"];
        var authority = builder.Configuration["Auth:Authority"];
        builder.Services.AddOpenApi(options =>
        {
            options.AddDocumentTransformer((document, _, _) =>
            {
                Describe(document, publicUrl);
                DeclareSecuritySchemes(document, authority);
                return Task.CompletedTask;
            });
            options.AddOperationTransformer(async (operation, context, cancellation) =>
            {
                DropUntypedBodies(operation);
                RequireSignIn(operation, context, authority is not null);
                await DescribeProblems(operation, context, cancellation);
                await DescribeSpecialOperations(operation, context, cancellation);
            });
            // Request bodies are all-nullable on purpose: the endpoint checks every field itself and
            // answers 400 naming each missing one, so none is required by the schema.
            options.AddSchemaTransformer((schema, context, _) =>
            {
                if (context.JsonTypeInfo.Type.Name.EndsWith("Request", StringComparison.Ordinal)) schema.Required?.Clear();
                // A check-in is read back from the store through a parameterless constructor, so the
                // generator no longer learns its fields from the constructor's; every answer still
                // carries each field the patient logged, and the contract says so.
                if (context.JsonTypeInfo.Type == typeof(CheckIn))
                    schema.Required = context.JsonTypeInfo.Properties.Where(p => p.Set is not null).Select(p => p.Name).ToHashSet();
                return Task.CompletedTask;
            });
            // Operation tags are rewritten last, once every operation has its class-named tag.
            options.AddDocumentTransformer((document, _, _) =>
            {
                RenameTags(document);
                document.Components?.Schemas?.Remove(UntypedResult);
                return Task.CompletedTask;
            });
        });
        return builder;
    }

    private static void Describe(OpenApiDocument document, string? publicUrl)
    {
        document.Info.Title = "CalfPainTracker API";
        document.Info.Description =
            "Recovery tracking for calf injuries: patients log daily check-ins, clinicians follow their patients' " +
            "trends and alerts. Every route but share links and health needs a bearer token (JWT) naming the user, " +
            "role and clinic. Errors are RFC 9457 problem details (`application/problem+json`); field errors carry an `errors` map.";
        // Not open source: an SPDX reference to the owner's own terms.
        document.Info.License = new OpenApiLicense { Name = "Proprietary", Identifier = "LicenseRef-Proprietary" };
        // A configured public address wins; else the request's own base, which Redocly and
        // client generators want without a trailing slash.
        document.Servers = publicUrl is { Length: > 0 }
            ? [new OpenApiServer { Url = publicUrl.TrimEnd('/') }]
            : [.. (document.Servers ?? []).Select(s => new OpenApiServer { Url = s.Url?.TrimEnd('/'), Description = s.Description })];
    }

    /// <summary>A response the generator could only type as IResult says nothing about its body rather than promising an empty object.</summary>
    private static void DropUntypedBodies(OpenApiOperation operation)
    {
        foreach (var response in (operation.Responses ?? []).Values.OfType<OpenApiResponse>())
        {
            var untyped = (response.Content ?? new Dictionary<string, OpenApiMediaType>())
                .Where(c => c.Value.Schema is OpenApiSchemaReference { Reference.Id: UntypedResult }).Select(c => c.Key).ToList();
            foreach (var mediaType in untyped) response.Content!.Remove(mediaType);
        }
    }

    private static void DeclareSecuritySchemes(OpenApiDocument document, string? authority)
    {
        document.AddComponent<IOpenApiSecurityScheme>(Bearer, new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.Http,
            Scheme = "bearer",
            BearerFormat = "JWT",
            Description = "A JWT with the claims sub, role (patient, physio or clinic-admin) and clinic, sent as `Authorization: Bearer <token>`.",
        });
        if (authority is not null)
        {
            document.AddComponent<IOpenApiSecurityScheme>(OpenIdConnect, new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.OpenIdConnect,
                OpenIdConnectUrl = new Uri(authority.TrimEnd('/') + "/.well-known/openid-configuration"),
                Description = "Sign in with the clinic's identity provider; its access token is the bearer token.",
            });
        }
    }

    /// <summary>Anonymous routes say so with an empty requirement; every other route takes the bearer token (or the provider's).</summary>
    private static void RequireSignIn(OpenApiOperation operation, OpenApiOperationTransformerContext context, bool openIdConnect)
    {
        if (IsAnonymous(context))
        {
            operation.Security = [];
            return;
        }
        operation.Security = [new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(Bearer, context.Document)] = [] }];
        if (openIdConnect)
        {
            operation.Security.Add(new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(OpenIdConnect, context.Document)] = [] });
        }
    }

    /// <summary>
    /// The problems an operation can answer, by what the request pipeline does to it: sign-in
    /// and role checks, the body limits, the write rate limit, a race on the episode's stream,
    /// an unreachable database. Statuses only one route answers (410) are added there.
    /// </summary>
    private static async Task DescribeProblems(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellation)
    {
        var description = context.Description;
        var method = description.HttpMethod ?? "GET";
        var write = !HttpMethods.IsGet(method);
        var hasBody = description.ParameterDescriptions.Any(p => p.Source.Id == "Body");
        var hasQuery = description.ParameterDescriptions.Any(p => p.Source.Id == "Query");
        var path = description.RelativePath ?? "";
        var onStream = path.Contains("{episodeId}", StringComparison.Ordinal) || path.Contains("{alertId}", StringComparison.Ordinal);

        var problem = await Schema(typeof(ProblemDetails), "ProblemDetails", context, cancellation);
        operation.Responses ??= [];
        if (hasBody || hasQuery)
        {
            var validation = await Schema(typeof(HttpValidationProblemDetails), "HttpValidationProblemDetails", context, cancellation);
            operation.Responses["400"] = Problem("The request has invalid fields; `errors` lists each field's messages. Nothing was saved.", validation);
        }
        if (!IsAnonymous(context))
        {
            operation.Responses["401"] = Problem("No valid, unexpired bearer token. A signed-out phone's token is refused at once, with `signedOut` saying why: `by-patient`, `by-clinic`, `refresh-token-reused`, `erasure` or `episode-closed`.", problem);
            operation.Responses["403"] = Problem("The token's role may not use this route.", problem);
        }
        // Unknown and not-yours look the same; a route without an identifier has nothing to miss.
        if (path.Contains('{', StringComparison.Ordinal)) operation.Responses["404"] = Problem("Not found, or not visible to you.", problem);
        else operation.Responses.Remove("404");
        if (write && onStream) operation.Responses["409"] = Problem("The episode is closed or the alert resolved, or another write to it won a race; nothing was saved.", problem);
        if (hasBody)
        {
            operation.Responses["413"] = Problem("The body is larger than the service accepts.", problem);
            operation.Responses["415"] = Problem("The body is not `application/json`.", problem);
        }
        if (write) operation.Responses["429"] = Problem("Too many changes this minute; see `Retry-After`.", problem);
        operation.Responses["503"] = Problem("The database cannot be reached; nothing was saved. See `Retry-After`.", problem);
    }

    private static async Task DescribeSpecialOperations(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellation)
    {
        switch ($"{context.Description.HttpMethod} /{context.Description.RelativePath}")
        {
            case "POST /api/episodes/{episodeId}/check-ins":
                await DescribeCheckIn(operation, context, cancellation);
                break;
            case "GET /api/dashboard/stream":
                await DescribeStream(operation, context, cancellation);
                break;
            case "POST /api/sessions":
                operation.Responses!["404"] = Problem("No invitation has this code.", await Schema(typeof(ProblemDetails), "ProblemDetails", context, cancellation));
                operation.Responses!["410"] = Problem("The invitation was used, withdrawn or has expired, or its episode is closed.",
                    await Schema(typeof(ProblemDetails), "ProblemDetails", context, cancellation));
                break;
            case "POST /api/sessions/refresh":
                operation.Responses!["401"] = Problem("The refresh token is unknown, signed out, or was used before (then the device is signed out); a signed-out phone's problem has `signedOut` saying why, as on every route.",
                    await Schema(typeof(ProblemDetails), "ProblemDetails", context, cancellation));
                break;
            case "GET /.well-known/jwks.json":
            case "GET /api/push/public-key":
                // Nothing a client sends can be wrong here but the size of a body it declares, which every route refuses.
                operation.Responses!["413"] = Problem("The request declared a body larger than the service accepts.",
                    await Schema(typeof(ProblemDetails), "ProblemDetails", context, cancellation));
                break;
            case "GET /r/{token}":
                operation.Responses!["200"] = new OpenApiResponse
                {
                    Description = "The doctor report as it stands now.",
                    Content = new Dictionary<string, OpenApiMediaType>
                    {
                        ["application/pdf"] = new() { Schema = new OpenApiSchema { Type = JsonSchemaType.String, Format = "binary" } },
                    },
                };
                operation.Responses!["410"] = Problem("The link was revoked or has expired, or its record is no longer held.",
                    await Schema(typeof(ProblemDetails), "ProblemDetails", context, cancellation));
                break;
        }
    }

    private static async Task DescribeCheckIn(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellation)
    {
        if (operation.RequestBody?.Content?.TryGetValue("application/json", out var request) == true)
        {
            request.Example = JsonNode.Parse("""
                {
                  "checkInId": "0193b6a2-7c41-7d3e-9a51-2f4c8e1d0b77",
                  "day": "2026-11-02",
                  "painLevel": 4,
                  "painAtRest": false,
                  "painAtNight": true,
                  "swelling": "mild",
                  "swellingAtAnkle": false,
                  "calfCircumferenceCm": { "affected": 38.5, "other": 37.0 },
                  "restHours": 2,
                  "iceMinutes": 20,
                  "heatMinutes": 0,
                  "stretchingMinutes": 15,
                  "nsaidTaken": true,
                  "canWalkComfortably": true,
                  "symptoms": [],
                  "notes": "Stiff in the morning, easier after the stretches."
                }
                """);
        }
        operation.Responses!.Remove("200");
        operation.Responses["201"] = new OpenApiResponse
        {
            Description = "Stored (or, for a check-in id sent before, the first answer again with `Idempotent-Replayed: true`); the alerts it showed, with their advice.",
            Content = new Dictionary<string, OpenApiMediaType>
            {
                ["application/json"] = new()
                {
                    Schema = await Schema(typeof(CheckInAccepted), nameof(CheckInAccepted), context, cancellation),
                    Example = JsonNode.Parse($$"""
                        {
                          "checkInId": "0193b6a2-7c41-7d3e-9a51-2f4c8e1d0b77",
                          "day": "2026-11-02",
                          "correction": false,
                          "alerts": [],
                          "disclaimer": {{System.Text.Json.JsonSerializer.Serialize(CalfPainTracker.Alerts.Disclaimer.Text)}}
                        }
                        """),
                },
            },
        };
    }

    private static async Task DescribeStream(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellation)
    {
        operation.Description =
            "Server-Sent Events of check-ins and alerts on the caller's patients. Each message has `id:` (the event's " +
            "global sequence: send it back as `Last-Event-ID` to resume without a gap), `event:` (the event type: " +
            string.Join(", ", LiveEventsEndpoint.Streamed.Select(t => "`" + JasperFx.Events.EventTypeExtensions.GetEventTypeName(t) + "`")) +
            ") and `data:` (one LiveEvent as JSON, whose `data` is that event). The stream stays open until the client leaves.";
        var events = new List<IOpenApiSchema>();
        foreach (var type in LiveEventsEndpoint.Streamed) events.Add(await Schema(type, type.Name, context, cancellation));
        var liveEvent = new OpenApiSchema
        {
            Type = JsonSchemaType.Object,
            Description = "The JSON of one message's `data:` line.",
            Required = new HashSet<string> { "type", "episodeId", "at", "data" },
            Properties = new Dictionary<string, IOpenApiSchema>
            {
                ["type"] = new OpenApiSchema { Type = JsonSchemaType.String, Description = "The event type, as in `event:`." },
                ["episodeId"] = new OpenApiSchema { Type = JsonSchemaType.String, Format = "uuid" },
                ["at"] = new OpenApiSchema { Type = JsonSchemaType.String, Format = "date-time" },
                // anyOf, not oneOf: two events may have the same shape; `type` says which one it is.
                ["data"] = new OpenApiSchema { AnyOf = events },
            },
        };
        operation.Responses!.Remove("204");
        operation.Responses["200"] = new OpenApiResponse
        {
            Description = "The event stream.",
            Content = new Dictionary<string, OpenApiMediaType>
            {
                ["text/event-stream"] = new() { Schema = liveEvent },
            },
        };
    }

    private static void RenameTags(OpenApiDocument document)
    {
        var used = new HashSet<string>(StringComparer.Ordinal);
        foreach (var operation in (document.Paths ?? []).Values.SelectMany(p => p.Operations?.Values.AsEnumerable() ?? []))
        {
            var name = operation.Tags?.Select(t => Friendly(t.Name)).FirstOrDefault();
            if (name is null) continue;
            used.Add(name);
            operation.Tags = new HashSet<OpenApiTagReference> { new(name, document) };
        }
        document.Tags = new HashSet<OpenApiTag>(
            Tags.Where(t => used.Contains(t.Name)).Select(t => new OpenApiTag { Name = t.Name, Description = t.Description }));
    }

    /// <summary>Wolverine tags an operation with its class's full name; the slice's namespace names the tag.</summary>
    private static string Friendly(string? classTag)
    {
        var slice = classTag?.Split('.') is [_, var ns, ..] ? ns : classTag;
        return Tags.FirstOrDefault(t => t.Namespace == slice).Name ?? classTag ?? "";
    }

    private static bool IsAnonymous(OpenApiOperationTransformerContext context) =>
        context.Description.ActionDescriptor.EndpointMetadata.OfType<IAllowAnonymous>().Any();

    /// <summary>The type's schema, once in components and referenced from every operation.</summary>
    private static async Task<IOpenApiSchema> Schema(Type type, string name, OpenApiOperationTransformerContext context, CancellationToken cancellation)
    {
        var document = context.Document!;
        if (document.Components?.Schemas?.ContainsKey(name) != true)
        {
            document.AddComponent(name, await context.GetOrCreateSchemaAsync(type, null, cancellation));
        }
        return new OpenApiSchemaReference(name, document);
    }

    private static OpenApiResponse Problem(string description, IOpenApiSchema schema) => new()
    {
        Description = description,
        Content = new Dictionary<string, OpenApiMediaType> { [ProblemJson] = new() { Schema = schema } },
    };
}
