using System.Text.Json;
using Leakwatch.Catalog;
using Leakwatch.Core;

namespace Leakwatch.Server;

/// <summary>A breach with its HIBP JSON rendered once, so a response is a copy of bytes.</summary>
internal sealed class PreparedBreach
{
    public PreparedBreach(Breach breach)
    {
        Breach = breach;
        Full = JsonSerializer.SerializeToUtf8Bytes(HibpBreach.From(breach), HibpJson.Default.HibpBreach);
        Truncated = JsonSerializer.SerializeToUtf8Bytes(new HibpBreachName(breach.Name), ServerJson.Default.HibpBreachName);
    }

    public Breach Breach { get; }

    public byte[] Full { get; }

    /// <summary><c>{"Name":"…"}</c>, HIBP's truncated form.</summary>
    public byte[] Truncated { get; }
}
