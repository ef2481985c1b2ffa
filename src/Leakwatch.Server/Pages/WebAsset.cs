using System.Security.Cryptography;

namespace Leakwatch.Server.Pages;

/// <summary>A static file of the page, held in memory with its strong ETag.</summary>
internal sealed record WebAsset(byte[] Body, string ContentType, string ETag)
{
    public static WebAsset Of(byte[] body, string contentType) =>
        new(body, contentType, "\"" + Convert.ToHexStringLower(SHA256.HashData(body).AsSpan(0, 12)) + "\"");
}
