namespace Leakwatch.Server;

/// <summary>The body of <c>POST /api/subscriptions</c> and <c>POST /api/optout</c> (for the OpenAPI document).</summary>
internal sealed record EmailRequest(string Email);
