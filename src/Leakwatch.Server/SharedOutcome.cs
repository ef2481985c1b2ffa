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
