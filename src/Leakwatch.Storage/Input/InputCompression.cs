namespace Leakwatch.Storage.Input;

/// <summary>How an input file is compressed, as its first bytes say.</summary>
public enum InputCompression
{
    None,
    Gzip,
    Zstd,
}
