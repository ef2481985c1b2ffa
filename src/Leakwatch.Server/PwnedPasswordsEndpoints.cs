using Microsoft.AspNetCore.Routing;

namespace Leakwatch.Server;

/// <summary>
/// Pwned Passwords (<c>GET /range/{prefix}</c>) — NOT IMPLEMENTED HERE YET.
/// </summary>
internal static class PwnedPasswordsEndpoints
{
    public static void Map(IEndpointRouteBuilder app)
    {
        // ┌──────────────────────────────────────────────────────────────────────────────────────────────────────┐
        // │ RANGE ENDPOINT GOES HERE. Leakwatch.Passwords (built in parallel) provides PasswordRangeStore:         │
        // │   PasswordRangeStore.Open(dataDir), IsValidPrefix, ETag(mode, prefix5), WriteRange(mode, prefix5,     │
        // │   IBufferWriter<byte>), AppendPadding(...).                                                            │
        // │ Map GET /range/{prefix} here (anonymous: no hibp-api-key, no User-Agent rule, own per-IP limit or     │
        // │ none), as the wire notes say: 200 for every valid prefix, 400 text for an invalid one, ?mode=ntlm,   │
        // │ Add-Padding, CRLF without a trailing newline, ETag/If-None-Match → 304, Cache-Control, CORS.          │
        // │ Write straight to ctx.Response.BodyWriter. Give the endpoint no HibpAccess metadata so the HIBP        │
        // │ middleware and limiter leave it alone, or add a partition in HibpApi.Partition.                       │
        // └──────────────────────────────────────────────────────────────────────────────────────────────────────┘
        _ = app;
    }
}
