using System.Text.Json.Serialization;
using CalfPainTracker.Alerts;
using CalfPainTracker.CheckIns;
using CalfPainTracker.Enrolment;
using CalfPainTracker.Export;
using CalfPainTracker.Http;
using CalfPainTracker.Notifications;
using CalfPainTracker.PatientRights;
using CalfPainTracker.Operations;
using CalfPainTracker.Security;
using JasperFx;
using JasperFx.CodeGeneration;
using JasperFx.MultiTenancy;
using JasperFx.Events.Daemon;
using Marten;
using Marten.Schema.Indexing.Unique;
using Npgsql;
using Scalar.AspNetCore;
using Weasel.Core;
using Wolverine;
using Wolverine.Http;
using Wolverine.Marten;

var builder = WebApplication.CreateBuilder(args);
if (args is [DevelopmentToken.Command, ..]) return DevelopmentToken.Run(args[1..], builder.Configuration);

builder.AddCalfPainSecurity();
builder.AddCalfPainTelemetry();

var connectionString = builder.Configuration.GetConnectionString("Marten")
    ?? throw new InvalidOperationException("ConnectionStrings:Marten is not set (environment variable ConnectionStrings__Marten); scripts/db prints one.");
var connect = DocumentDatabases.Connector(builder.Configuration);
var dataSource = connect(connectionString);
// Clinics listed here live on a database of their own; every other clinic shares the main one.
var clinicDatabases = builder.Configuration.GetSection("Marten:ClinicDatabases").Get<ClinicDatabase[]>() ?? [];
builder.Services.AddSingleton(TimeProvider.System);
builder.Services.AddSingleton(builder.Configuration.GetSection(RuleSettings.Section).Get<RuleSettings>() ?? new RuleSettings());
builder.Services.AddSingleton(builder.Configuration.GetSection(AlertSettings.Section).Get<AlertSettings>() ?? new AlertSettings());
var notificationSettings = builder.Configuration.GetSection(NotificationSettings.Section).Get<NotificationSettings>() ?? new NotificationSettings();
// A zone that does not exist fails the start, not the first digest hours later.
_ = notificationSettings.DigestZone;
builder.Services.AddSingleton(notificationSettings);
// Webhook receivers answer within the delivery timeout or the attempt is a failure; redirects are
// not followed; every connection is to a public address (no proxy, which would hide the receiver's).
builder.Services.AddHttpClient(DeliverWebhookHandler.HttpClientName).ConfigurePrimaryHttpMessageHandler(PublicAddressesOnly);
// A push endpoint is a URL a browser handed us: held to the same rule.
builder.Services.AddHttpClient(DeliverPushHandler.HttpClientName).ConfigurePrimaryHttpMessageHandler(PublicAddressesOnly);
builder.Services.AddSingleton(WebPushSettings.From(builder.Configuration, PublicAddress.From(builder.Configuration, builder.Environment)));
builder.Services.AddSingleton<VapidKeys>();

var marten = builder.Services.AddMarten(opts =>
    {
        opts.Connection(dataSource);
        if (clinicDatabases.Length > 0) opts.Tenancy = new ClinicTenancy(opts, dataSource, clinicDatabases, connect);
        opts.DatabaseSchemaName = builder.Configuration["Marten:Schema"] ?? "calfpain";
        opts.Serializer(StoredJson.ForService());

        // Each clinic is a tenant: every document and event row carries the clinic, and a
        // session opened for one clinic cannot read another's even if a check is forgotten.
        opts.Policies.AllDocumentsAreMultiTenanted();
        opts.Events.TenancyStyle = TenancyStyle.Conjoined;

        opts.Events.MetadataConfig.CorrelationIdEnabled = true;
        opts.Events.MetadataConfig.HeadersEnabled = true;
        opts.Events.MetadataConfig.UserNameEnabled = true;
        Telemetry.CountCommittedEvents(opts);

        // Named up front, not found on first use, so that `db-apply` creates every table a release needs.
        opts.RegisterDocumentType<Webhook>();
        opts.RegisterDocumentType<WebhookDelivery>();
        opts.RegisterDocumentType<ReminderChain>();
        opts.RegisterDocumentType<MissedCheckInWatch>();
        // Indexes on a clinic's documents hold the clinic, as the triage's do (ReadModels.Register says why).
        opts.Schema.For<DigestEntry>().Duplicate(e => e.PhysiotherapistId, configure: index => index.TenancyScope = TenancyScope.PerTenant);
        // Two digests for one physiotherapist and day cannot both move the chain on.
        opts.Schema.For<DigestChain>().UseOptimisticConcurrency(true);
        opts.Schema.For<WebPushSubscription>()
            .Index(s => s.PatientId, index => index.TenancyScope = TenancyScope.PerTenant)
            .Index(s => s.DeviceId, index => index.TenancyScope = TenancyScope.PerTenant);
        opts.RegisterDocumentType<RecordAccess>();
        // No projection applies a clinician's note, so it is named here for the timeline to read it back.
        opts.Events.AddEventType<CalfPainTracker.Timeline.ClinicianNoteWritten>();
        // A share link is opened without signing in, so without a clinic: it is found across
        // clinics by its token's hash and carries its clinic inside.
        opts.Schema.For<ReportLink>().SingleTenanted().Index(l => l.TokenHash, index => index.IsUnique = true);
        // Likewise for what a phone presents before it has a clinic: an invitation code, a refresh token.
        opts.Schema.For<Invitation>().SingleTenanted().Index(i => i.CodeHash, index => index.IsUnique = true).Index(i => i.EpisodeId);
        opts.Schema.For<DeviceSession>().SingleTenanted().Index(d => d.EpisodeId).Index(d => d.PatientId);
        // The service's own signing keys and the Data Protection key ring that guards them: one set for every node and clinic.
        opts.Schema.For<ServiceSigningKey>().SingleTenanted();
        opts.Schema.For<VapidKeyPair>().SingleTenanted();
        opts.Schema.For<DataProtectionKey>().SingleTenanted();

        ReadModels.Register(opts, args, builder.Configuration.GetValue("Marten:RebuildFlushThreshold", ReadModels.DefaultRebuildFlushThreshold));
    })
    .UseLightweightSessions();
// On by default, so that a first start on an empty database just works. A release pipeline that
// runs `db-apply` before the new nodes start switches it off: each node then starts without
// comparing every table with the model (about half a second) and no two nodes race to alter one.
var applySchemaOnStartup = builder.Configuration.GetValue("Marten:ApplySchemaOnStartup", true);
if (applySchemaOnStartup) marten.ApplyAllDatabaseChangesOnStartup();
// Distributed (the default): Wolverine assigns the async projections to one of the nodes and
// moves them when that node stops sending heartbeats. Solo or Disabled for a single process.
var daemonMode = builder.Configuration["Marten:DaemonMode"] ?? "Distributed";
if (daemonMode.Equals("Distributed", StringComparison.OrdinalIgnoreCase))
{
    marten.IntegrateWithWolverine(m =>
    {
        m.UseWolverineManagedEventSubscriptionDistribution = true;
        MainMessageStore(m);
    });
}
else
{
    marten.AddAsyncDaemon(Enum.Parse<DaemonMode>(daemonMode, ignoreCase: true)).IntegrateWithWolverine(MainMessageStore);
}

SocketsHttpHandler PublicAddressesOnly() => new()
{
    AllowAutoRedirect = false,
    UseProxy = false,
    PooledConnectionLifetime = TimeSpan.FromMinutes(5),
    ConnectCallback = (context, cancellation) => WebhookTarget.Connect(context.DnsEndPoint, notificationSettings, cancellation),
};

// With several databases Wolverine keeps its node and leadership tables in the main one; each
// clinic database holds that clinic's inbox, outbox and scheduled messages.
void MainMessageStore(MartenIntegration integration)
{
    if (clinicDatabases.Length > 0) integration.MasterDataSource = dataSource;
}

builder.Services.CritterStackDefaults(x =>
{
    x.Development.GeneratedCodeMode = TypeLoadMode.Dynamic;
    x.Development.ResourceAutoCreate = AutoCreate.CreateOrUpdate;
    // Production runs the committed, pre-generated handler code; a missing type stops start-up.
    x.Production.GeneratedCodeMode = TypeLoadMode.Static;
    x.Production.AssertAllPreGeneratedTypesExist = true;
    x.Production.ResourceAutoCreate = applySchemaOnStartup ? AutoCreate.CreateOrUpdate : AutoCreate.None;
});

builder.Host.UseWolverine(opts =>
{
    // Named explicitly: under a test host the entry assembly is the test runner.
    opts.ApplicationAssembly = typeof(Program).Assembly;
    opts.Policies.AutoApplyTransactions();
    // Scheduled checks (escalation, missed check-ins) live in PostgreSQL, so a restart loses none.
    opts.Policies.UseDurableLocalQueues();
    // Balanced shares durable work between nodes; Solo (one node) recovers everything at start-up.
    opts.Durability.Mode = builder.Configuration.GetValue("Wolverine:DurabilityMode", DurabilityMode.Balanced);
    // A node killed without warning is noticed after StaleNodeTimeout, and its projections and
    // scheduled work move to a live node within about one more heartbeat.
    opts.Durability.HealthCheckPollingTime = builder.Configuration.GetValue("Wolverine:NodeHeartbeat", TimeSpan.FromSeconds(5));
    opts.Durability.StaleNodeTimeout = builder.Configuration.GetValue("Wolverine:StaleNodeTimeout", TimeSpan.FromSeconds(30));
    // Off: Wolverine's persisted-envelope gauges count the whole inbox by status every 5 s, a
    // sequential scan of every scheduled reminder and check (two per open episode), costing
    // more the more episodes are open even when nobody is using the service. The backlog
    // gauges (Operations/Backlog.cs) report the depths that matter from its indexes instead.
    opts.Durability.DurabilityMetricsEnabled = builder.Configuration.GetValue("Wolverine:DurabilityMetrics", false);
});

// Registered after Wolverine, so that it stops first: the check-ins already queued are
// committed, and their outgoing messages sent, while Wolverine still runs.
builder.Services.AddSingleton(builder.Configuration.GetSection(CheckInWriterSettings.Section).Get<CheckInWriterSettings>() ?? new CheckInWriterSettings());
builder.Services.AddSingleton<LogCheckInEndpoint.Dependencies>();
builder.Services.AddSingleton<CheckInWriter>();
builder.Services.AddHostedService(services => services.GetRequiredService<CheckInWriter>());

builder.Services.AddWolverineHttp();
builder.Services.ConfigureHttpJsonOptions(o =>
{
    o.SerializerOptions.Converters.Add(new JsonStringEnumConverter(WireNames.Policy));
    o.SerializerOptions.DefaultIgnoreCondition = JsonIgnoreCondition.Never;
});
builder.Services.AddProblemDetails(o => o.CustomizeProblemDetails = JsonBodyProblems.Explain);
builder.Services.AddExceptionHandler<Unavailable>();
builder.AddCalfPainOpenApi();
builder.Services.AddHealthChecks()
    .AddCheck<DatabaseReadiness>("database", tags: [HealthEndpoints.ReadyTag])
    .AddCheck<MessagingRunning>("messaging", tags: [HealthEndpoints.ReadyTag])
    .AddCheck<ProjectionLagReport>("projections", tags: [HealthEndpoints.ReadyTag]);

var app = builder.Build();
// Neither Marten nor Wolverine owns the data source they were given: without this a stopped host
// (a test's, a node's in a rolling restart) would leave its idle connections open for minutes.
app.Lifetime.ApplicationStopped.Register(dataSource.Dispose);

app.UseCorrelation();
app.UseWritesRunToTheEnd();
app.UseNullBodiesRefused();
app.UseExceptionHandler();
app.UseStatusCodePages();
app.UseCalfPainSecurity();

app.MapHealth();
// The two web pages hold no data until signed in: served to anyone, like their scripts.
foreach (var page in new[] { "dashboard", "app" })
{
    app.MapGet($"/{page}", (IWebHostEnvironment environment) =>
            Results.File(environment.WebRootFileProvider.GetFileInfo($"{page}/index.html").CreateReadStream(), "text/html; charset=utf-8"))
        .AllowAnonymous()
        .ExcludeFromDescription();
}
app.MapGet("/dashboard/sign-in.json", (ClinicProviderSettings provider, PublicAddress address, IWebHostEnvironment environment) =>
        ClinicProvider.SignInFor(provider, address, environment))
    .AllowAnonymous()
    .ExcludeFromDescription();
app.MapOpenApi().AllowAnonymous();
// The reference signs in with a pasted bearer token, the scheme every protected route takes.
app.MapScalarApiReference("/docs", scalar => scalar.AddPreferredSecuritySchemes([OpenApiContract.Bearer])).AllowAnonymous();

app.MapWolverineEndpoints(opts =>
{
    opts.TenantId.IsClaimTypeNamed(Caller.ClinicClaim);
    opts.RejectUnparseableQueryValues = true;
    opts.RequireAuthorizeOnAll();
    // The check-in writer stamps each check-in's events itself: one session holds many requests.
    opts.AddMiddleware(typeof(AuditTrail), chain => !chain.HttpMethods.Contains("GET") && chain.Method.HandlerType != typeof(LogCheckInEndpoint));
});

return await ReadModels.RunCommandLine(app, args);

public partial class Program;
