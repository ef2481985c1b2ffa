namespace Leakwatch.Server;

/// <summary>The outcome, which bucket refused (its index in the request) and the seconds until it has a token.</summary>
internal readonly record struct SharedVerdict(SharedOutcome Outcome, int RefusedBucket = -1, int RetryAfterSeconds = 0, int Granted = 0)
{
    public static readonly SharedVerdict Unavailable = new(SharedOutcome.Unavailable);
}
