namespace Leakwatch.Storage;

/// <summary>
/// The header shape every mapped store file shares, and how its checks read in errors: an 8-byte magic at 0, a
/// u32 version at <see cref="VersionOffset"/>, and at <see cref="ChecksumOffset"/> the XxHash64 of the header's
/// first <see cref="ChecksummedBytes"/> bytes (which include the version).
/// </summary>
/// <param name="Noun">What the file is, with its article, for "too short to be {Noun}": "an index".</param>
/// <param name="Name">The format's name after "not a Leakwatch": "index".</param>
/// <param name="VersionName">The format's name before "version": "index", "password file".</param>
/// <param name="MinLength">The shortest file that can hold the header and whatever the reader reads unchecked.</param>
public sealed record MappedFileFormat(
    string Noun,
    string Name,
    string VersionName,
    byte[] Magic,
    uint Version,
    int VersionOffset,
    int ChecksumOffset,
    int ChecksummedBytes,
    long MinLength);
