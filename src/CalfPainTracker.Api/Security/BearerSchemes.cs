using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.IdentityModel.JsonWebTokens;

namespace CalfPainTracker.Security;

/// <summary>
/// The issuers whose bearer tokens the service accepts, one JwtBearer scheme each, behind one
/// "Bearer" scheme that picks by the token's (not yet trusted) <c>iss</c>: the shared HMAC key
/// (development and deployments with a token service of their own), the clinic's OpenID Connect
/// provider (staff), and the service itself (enrolled patient devices). The chosen scheme then
/// checks everything, the issuer included, so a token cannot pick a laxer scheme than its own.
/// </summary>
public static class BearerSchemes
{
    public const string Bearer = "Bearer";
    public const string SharedKey = "SharedKey";
    public const string Device = "Device";

    /// <summary>
    /// Picks the scheme by the token's issuer (<paramref name="schemeByIssuer"/>, from configuration);
    /// a request without a readable token, or from an issuer nobody configured, goes to the
    /// shared-key scheme, which says 401.
    /// </summary>
    public static Func<HttpContext, string?> ByIssuer(IReadOnlyDictionary<string, string> schemeByIssuer)
    {
        ArgumentNullException.ThrowIfNull(schemeByIssuer);
        var handler = new JsonWebTokenHandler();
        return context =>
        {
            var header = context.Request.Headers.Authorization.ToString();
            if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)) return SharedKey;
            var token = header["Bearer ".Length..].Trim();
            if (!handler.CanReadToken(token)) return SharedKey;
            try
            {
                return schemeByIssuer.TryGetValue(handler.ReadJsonWebToken(token).Issuer, out var scheme) ? scheme : SharedKey;
            }
            catch (ArgumentException)
            {
                // Three dot-separated parts that are not a token (bad base64, an issuer that is not a string): a 401, not a 500.
                return SharedKey;
            }
        };
    }

    private const string ChallengeAnswer = "CalfPainTracker.ChallengeAnswer";

    /// <summary>A 401 that says more than "sign in" (why this token no longer works), given by the scheme that refused it.</summary>
    public static void AnswerChallengeWith(HttpContext context, IResult answer)
    {
        ArgumentNullException.ThrowIfNull(context);
        context.Items[ChallengeAnswer] = answer;
    }

    /// <summary>Problems in the service's own words for every scheme, and the claims checked the same way.</summary>
    public static JwtBearerEvents Answers(Func<TokenValidatedContext, Task>? beforeChecking = null) => new()
    {
        // A signed token whose claims do not name a user, role and clinic is as good as none.
        OnTokenValidated = async context =>
        {
            if (beforeChecking is not null) await beforeChecking(context);
            if (context.Principal is null || Caller.TryRead(context.Principal) is null) context.Fail("The token lacks a valid sub, role or clinic claim.");
        },
        OnChallenge = async context =>
        {
            context.HandleResponse();
            context.Response.StatusCode = StatusCodes.Status401Unauthorized;
            context.Response.Headers.WWWAuthenticate = "Bearer";
            var answer = context.HttpContext.Items[ChallengeAnswer] as IResult ?? TypedResults.Problem(
                statusCode: StatusCodes.Status401Unauthorized,
                title: "Sign in required",
                detail: "Send a valid, unexpired bearer token in the Authorization header.");
            await answer.ExecuteAsync(context.HttpContext);
        },
        OnForbidden = context => TypedResults.Problem(
            statusCode: StatusCodes.Status403Forbidden,
            title: "Not allowed for your role",
            detail: "Your role may not use this route.").ExecuteAsync(context.HttpContext),
    };
}
