namespace Leakwatch.Core;

/// <summary>Whether a pattern matches all, none or only some of the numbers a block stands for.</summary>
internal enum BlockAnswer : byte
{
    All = 1,
    None = 2,
    Some = 3,
}
