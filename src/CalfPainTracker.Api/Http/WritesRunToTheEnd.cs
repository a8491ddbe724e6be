namespace CalfPainTracker.Http;

/// <summary>
/// A write that has started is finished even if the client goes away. Cancelling it halfway
/// would abort the commit at an arbitrary point (a rollback that times out, sequence numbers
/// lost, the projections' daemon waiting on the gap); finishing it lets the client's retry with
/// the same id find what was stored. Reads, the live stream among them, still stop when the
/// client leaves.
/// </summary>
public static class WritesRunToTheEnd
{
    public static WebApplication UseWritesRunToTheEnd(this WebApplication app)
    {
        app.Use((context, next) =>
        {
            if (!HttpMethods.IsGet(context.Request.Method) && !HttpMethods.IsHead(context.Request.Method))
            {
                context.RequestAborted = CancellationToken.None;
            }
            return next(context);
        });
        return app;
    }
}
