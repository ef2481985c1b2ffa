namespace Leakwatch.Server;

/// <summary>The end of an account search (<see cref="HibpApi.SearchAccount"/>): its outcome, the wait of a refusal,
/// and the breaches found, before the account-search filters (<see cref="HibpApi.FilterAccountBreaches"/>).</summary>
internal readonly record struct AccountSearch(AccountSearchOutcome Outcome, int RetryAfterSeconds, List<PreparedBreach> Found)
{
    public static AccountSearch Of(AccountSearchOutcome outcome, List<PreparedBreach> found, int retryAfterSeconds = 0) =>
        new(outcome, retryAfterSeconds, found);
}
