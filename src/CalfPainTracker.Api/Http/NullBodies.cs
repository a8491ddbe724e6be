using System.Text;

namespace CalfPainTracker.Http;

/// <summary>
/// A JSON body that is just <c>null</c> deserialises to no request at all, which every endpoint
/// would have to guard against one by one; answered here for all of them, as the 400 it is.
/// </summary>
public static class NullBodies
{
    public static WebApplication UseNullBodiesRefused(this WebApplication app)
    {
        app.Use(async (context, next) =>
        {
            var request = context.Request;
            if (request.ContentLength is > 0 and <= 16 && request.ContentType?.Contains("json", StringComparison.OrdinalIgnoreCase) == true)
            {
                request.EnableBuffering();
                var buffer = new byte[16];
                var read = await request.Body.ReadAtLeastAsync(buffer, (int)request.ContentLength.Value, throwOnEndOfStream: false);
                request.Body.Position = 0;
                if (Encoding.UTF8.GetString(buffer, 0, read).Trim() == "null")
                {
                    await TypedResults.Problem(
                        statusCode: StatusCodes.Status400BadRequest,
                        title: "The request has no body",
                        detail: "Send a JSON object with the fields this route takes; the body was null.").ExecuteAsync(context);
                    return;
                }
            }
            await next(context);
        });
        return app;
    }
}
