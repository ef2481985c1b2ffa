namespace Leakwatch.Core;

/// <summary>Whole lines read by <see cref="AccountBlockReader"/>: <c>Buffer[..Length]</c>, rented from
/// <see cref="System.Buffers.ArrayPool{T}.Shared"/> (the reader of the block returns it), starting at line
/// <paramref name="FirstLine"/>; <paramref name="AtStart"/> for the input's first block (which may hold a BOM).</summary>
public readonly record struct AccountBlock(byte[] Buffer, int Length, long FirstLine, bool AtStart)
{
    public AccountLineReader Lines() => new(Buffer.AsSpan(0, Length), FirstLine, AtStart);
}
