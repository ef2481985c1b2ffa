namespace Leakwatch.Server;

/// <summary>Endpoint metadata: with <c>--redis</c>, the endpoint fails closed (503) while Redis is unreachable, since its
/// limits (account search: per key and the enumeration detector; private evaluation: the budgets) must hold across
/// the cluster. Endpoints without it count in-process meanwhile.</summary>
internal sealed class SharedCountersRequired
{
    public static readonly SharedCountersRequired Instance = new();
}
