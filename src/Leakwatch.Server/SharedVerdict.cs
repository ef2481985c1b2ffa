namespace Leakwatch.Server;

/// <summary>What Redis answered for a request's shared buckets.</summary>
internal enum SharedOutcome
{
    /// <summary>Every bucket had a token.</summary>
    Allowed,

    /// <summary>A bucket was empty: 429.</summary>
    Refused,

    /// <summary>Redis could not be asked (down, timed out): fail closed or count in-process, by endpoint.</summary>
    Unavailable,
}

/// <summary>The outcome, which bucket refused (its index in the request) and the seconds until it has a token.</summary>
internal readonly record struct SharedVerdict(SharedOutcome Outcome, int RefusedBucket = -1, int RetryAfterSeconds = 0)
{
    public static readonly SharedVerdict Unavailable = new(SharedOutcome.Unavailable);
}
