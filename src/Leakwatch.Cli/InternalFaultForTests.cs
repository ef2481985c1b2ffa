namespace Leakwatch.Cli;

/// <summary>
/// Fault injection for the exit-code test: with <c>LEAKWATCH_TEST_FAULT=internal</c> a command fails as an
/// unexpected bug would, so exit code 70 can be checked through the real binary without keeping a real bug around.
/// Documented in the README beside the exit codes; it changes nothing when the variable is unset.
/// </summary>
internal static class InternalFaultForTests
{
    public const string Variable = "LEAKWATCH_TEST_FAULT";

    public static void ThrowIfRequested()
    {
        if (Environment.GetEnvironmentVariable(Variable) == "internal")
        {
            throw new InvalidOperationException($"fault injected by {Variable}=internal");
        }
    }
}
