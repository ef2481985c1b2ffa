using System.Runtime.InteropServices;

namespace Leakwatch.Ingest.Domains;

/// <summary>One buffered (domain, alias) pair, fixed-size and free of references: the domain's tag, the alias's
/// first 8 bytes big-endian (zero-padded) so that most comparisons end on two integers, the domain's id in its
/// buffer and the alias's offset in the buffer's byte arena.</summary>
[StructLayout(LayoutKind.Sequential)]
internal readonly record struct DomainAliasEntry(ulong Tag, ulong Prefix, int Domain, int Offset);
