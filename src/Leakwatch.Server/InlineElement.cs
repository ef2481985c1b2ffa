namespace Leakwatch.Server;

/// <summary>A 32-byte element held inline (no allocation per request).</summary>
[System.Runtime.CompilerServices.InlineArray(32)]
internal struct InlineElement
{
    private byte _element0;
}
