using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;

namespace CalfPainTracker.Security;

/// <summary>
/// Secrets handed to people once (share links, invitations, refresh tokens): random, safe in a
/// URL, and stored only as their SHA-256, so a copy of the database opens nothing.
/// </summary>
public static class OneTimeSecret
{
    public static string New(int randomBytes) => Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(randomBytes));

    public static string Hash(string secret) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(secret)));
}
