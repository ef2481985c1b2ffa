namespace Leakwatch.Server;

/// <summary>A rendered range body with its line count and strong ETag; the gzip form is made on first request.</summary>
internal sealed class RenderedRange(byte[] body, int lines, string etag)
{
    private byte[]? _gzip;

    public byte[] Body { get; } = body;

    public int Lines { get; } = lines;

    public string ETag { get; } = etag;

    /// <summary>The gzip representation's own strong tag (same lines, different bytes).</summary>
    public string GzipETag { get; } = Leakwatch.Passwords.RangeHeaders.GzipETag(etag);

    /// <summary>True once the gzip form is made.</summary>
    public bool HasGzip => Volatile.Read(ref _gzip) is not null;

    public byte[] Gzip
    {
        get
        {
            var existing = Volatile.Read(ref _gzip);
            if (existing is not null)
            {
                return existing;
            }

            using var output = new MemoryStream(Body.Length / 2 + 64);
            using (var z = new System.IO.Compression.GZipStream(output, Leakwatch.Passwords.RangeHeaders.GzipLevel, leaveOpen: true))
            {
                z.Write(Body);
            }

            // Two requests may both compress; either result is right.
            var made = output.ToArray();
            return Interlocked.CompareExchange(ref _gzip, made, null) ?? made;
        }
    }
}
