using JasperFx;
using Microsoft.AspNetCore.Diagnostics;
using Npgsql;

namespace CalfPainTracker.Http;

/// <summary>
/// Failures that are not the client's fault and not a bug: the database is unreachable (503,
/// try again shortly) or another write to the same record won a race (409). Both say what
/// happened in a problem the client can act on; neither leaks SQL or a stack trace, and
/// neither changed anything.
/// </summary>
public sealed class Unavailable(ILogger<Unavailable> logger) : IExceptionHandler
{
    public const int RetryAfterSeconds = 5;

    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        if (httpContext.Response.HasStarted) return false;
        var (status, title, detail) = exception switch
        {
            ConcurrencyException => (StatusCodes.Status409Conflict, "Changed by someone else",
                "The record changed while this request was being handled. Nothing was saved; send it again."),
            CheckIns.CheckInWriter.StoppingException => (StatusCodes.Status503ServiceUnavailable, "Service restarting",
                $"This node is shutting down. Nothing was saved; try again in {RetryAfterSeconds} seconds."),
            _ when IsDatabaseUnreachable(exception) => (StatusCodes.Status503ServiceUnavailable, "Service temporarily unavailable",
                $"The database cannot be reached. Nothing was saved; try again in {RetryAfterSeconds} seconds."),
            _ => (0, "", ""),
        };
        if (status == 0) return false;

        logger.LogWarning("Answered {Status}: {Reason}", status, exception.GetType().Name);
        if (status == StatusCodes.Status503ServiceUnavailable) httpContext.Response.Headers.RetryAfter = RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        await TypedResults.Problem(statusCode: status, title: title, detail: detail).ExecuteAsync(httpContext);
        return true;
    }

    private static bool IsDatabaseUnreachable(Exception exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            // A PostgresException is the server answering (a bug or a constraint), not an outage.
            if (e is NpgsqlException and not PostgresException || e is TimeoutException or System.Net.Sockets.SocketException) return true;
        }
        return false;
    }
}
