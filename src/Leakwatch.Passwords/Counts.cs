namespace Leakwatch.Passwords;

/// <summary>Adds counts without wrapping.</summary>
internal static class Counts
{
    public static ulong Add(ulong a, ulong b)
    {
        var s = a + b;
        return s < a ? ulong.MaxValue : s;
    }
}
