namespace Leakwatch.Server;

/// <summary>A bulk request's body: <paramref name="Memory"/> of a pooled <paramref name="Array"/> (returned by the
/// handler); <paramref name="Length"/> -1 when the body was over the limit.</summary>
internal readonly record struct BulkBody(byte[]? Array, int Length, ReadOnlyMemory<byte> Memory)
{
    public ReadOnlySpan<byte> Span => Memory.Span;
}
