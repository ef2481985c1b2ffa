using System.Security.Cryptography;

namespace Leakwatch.Notify;

/// <summary>Standard Webhooks signing secrets: <c>whsec_</c> and the base64 of 24 to 64 random bytes.</summary>
public static class WebhookSecrets
{
    public const string Prefix = "whsec_";

    /// <summary>A new secret of 32 random bytes.</summary>
    public static string New() => Prefix + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

    /// <summary>The key bytes of a secret; false (and a one-line reason naming <c>secret</c>) when it is not one.</summary>
    public static bool TryDecode(string secret, out byte[] key, out string? error)
    {
        key = [];
        error = null;
        if (!secret.StartsWith(Prefix, StringComparison.Ordinal))
        {
            error = "secret: must start with whsec_ (a Standard Webhooks secret), or be left out to have one generated";
            return false;
        }

        var buffer = new byte[secret.Length];
        if (!Convert.TryFromBase64String(secret[Prefix.Length..], buffer, out var n) || n is < 24 or > 64)
        {
            error = "secret: after whsec_ must come the base64 of 24 to 64 bytes";
            return false;
        }

        key = buffer[..n];
        return true;
    }
}
