using System.Security.Claims;
using CalfPainTracker.Http;
using Marten;
using Wolverine;
using Wolverine.Http;

namespace CalfPainTracker.Security;

/// <summary>
/// Stamps every write's events with who did it and the request's correlation id (Marten
/// event metadata: user name, headers, correlation id), so the event store is its own audit log.
/// Applied by Wolverine to every non-GET endpoint.
/// </summary>
public static class AuditTrail
{
    public const string CorrelationHeader = "X-Correlation-Id";

    /// <summary>The event header that says in which role the writer acted.</summary>
    public const string RoleHeader = "role";

    public static void Before(IDocumentSession session, IMessageContext messaging, ClaimsPrincipal user, HttpContext context)
    {
        session.CorrelationId = CorrelationId(context);
        // The messages the request sends (webhook deliveries, scheduled follow-ups) carry the same id as its events.
        messaging.CorrelationId = session.CorrelationId;
        if (Caller.TryRead(user) is { } caller)
        {
            session.LastModifiedBy = caller.UserId.ToString();
            session.SetHeader(RoleHeader, WireNames.Of(caller.Role));
        }
    }

    /// <summary>The request's correlation id, chosen once by the correlation middleware (Operations/Telemetry.cs).</summary>
    public static string CorrelationId(HttpContext context) => (string)context.Items[CorrelationHeader]!;

    /// <summary>A caller-supplied correlation id is kept when it is short and plain; otherwise the request's own id.</summary>
    public static string ChooseCorrelationId(HttpContext context)
    {
        var supplied = context.Request.Headers[CorrelationHeader].ToString();
        return supplied.Length is > 0 and <= 64 && supplied.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.')
            ? supplied
            : context.TraceIdentifier;
    }
}

/// <summary>A clinician opened part of a patient's record: who, when, what.</summary>
public sealed record RecordAccess(
    Guid Id,
    Guid UserId,
    Role Role,
    Guid PatientId,
    Guid EpisodeId,
    string What,
    DateTimeOffset At);

public sealed record RecordAccessPage(IReadOnlyList<RecordAccess> Accesses);

public static class ListRecordAccessEndpoint
{
    public const int PageSize = 200;

    /// <summary>Clinic administrators review who opened which patient's record.</summary>
    [WolverineGet("/api/audit/record-access", Name = "ListRecordAccess")]
    [Microsoft.AspNetCore.Authorization.Authorize(Policy = Policies.ClinicAdmin)]
    public static async Task<RecordAccessPage> Get(Guid? patientId, DateTimeOffset? before, IQuerySession session, CancellationToken cancellation)
    {
        var query = session.Query<RecordAccess>().AsQueryable();
        if (patientId is { } p) query = query.Where(a => a.PatientId == p);
        if (before is { } b) query = query.Where(a => a.At < b);
        var page = await query.OrderByDescending(a => a.At).Take(PageSize).ToListAsync(cancellation);
        return new RecordAccessPage(page);
    }
}
