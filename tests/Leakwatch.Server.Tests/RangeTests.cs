using System.Net;
using System.Security.Cryptography;
using System.Text;

namespace Leakwatch.Server.Tests;

/// <summary>GET /range/{prefix}: HIBP's Pwned Passwords wire format on a real server, and reloads after an ingest.</summary>
public class RangeTests
{
    private static string Sha1Hex(string s) => Convert.ToHexString(SHA1.HashData(Encoding.UTF8.GetBytes(s)));

    private static async Task<HttpResponseMessage> PollForCount(HttpClient c, string prefix, string suffix, int count)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (true)
        {
            var r = await c.GetAsync($"/range/{prefix}");
            var body = await r.Content.ReadAsStringAsync();
            if (body.Contains($"{suffix}:{count}", StringComparison.Ordinal) || DateTime.UtcNow > deadline)
            {
                return r;
            }

            await Task.Delay(200);
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)] // inline I/O (the default): from-memory requests on the thread that read them
    public async Task Range_WireFormatETagPaddingAndReload_MatchPwnedPasswords(bool inlineIo)
    {
        using var dir = new TempDir();
        var list = dir.File("passwords.txt");
        File.WriteAllLines(list, ["password", "password", "hunter2"]);
        Assert.Equal(0, LeakwatchProcess.Run(["--data-dir", dir.DataDir, "ingest-passwords", list, "--mode", "plain"]).ExitCode);
        dir.Ingest(WriteTinyDump(dir), "Tiny");

        await using var server = await RunningServer.StartAsync(new ServerOptions { DataDir = dir.DataDir, KeyFilePath = dir.KeyFile, ConsoleLogging = false, InlineIo = inlineIo });
        using var c = server.Client(userAgent: null); // Pwned Passwords needs no user agent
        var hash = Sha1Hex("password");
        var (prefix, suffix) = (hash[..5], hash[5..]);

        var r = await c.GetAsync($"/range/{prefix.ToLowerInvariant()}");
        Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        var body = await r.Content.ReadAsStringAsync();
        Assert.Equal($"{suffix}:2", body); // one line, uppercase, no trailing newline
        Assert.Equal("public, max-age=2678400", r.Headers.CacheControl!.ToString());
        Assert.Equal("*", r.Headers.GetValues("Access-Control-Allow-Origin").Single());
        var etag = r.Headers.ETag!;
        Assert.False(etag.IsWeak);

        using var conditional = new HttpRequestMessage(HttpMethod.Get, $"/range/{prefix}");
        conditional.Headers.IfNoneMatch.Add(etag);
        Assert.Equal(HttpStatusCode.NotModified, (await c.SendAsync(conditional)).StatusCode);

        using var padded = new HttpRequestMessage(HttpMethod.Get, $"/range/{prefix}");
        padded.Headers.Add("Add-Padding", "true");
        var paddedBody = await (await c.SendAsync(padded)).Content.ReadAsStringAsync();
        var lines = paddedBody.Split("\r\n");
        Assert.InRange(lines.Length, 800, 1000);
        Assert.Contains($"{suffix}:2", lines);
        Assert.All(lines.Where(l => l != $"{suffix}:2"), l => Assert.Matches("^[0-9A-F]{35}:0$", l));
        Assert.False(paddedBody.EndsWith('\n'));

        // gzip for clients that take it: the same lines, a strong ETag of its own, 304 on it; never for padding.
        using (var gz = new HttpRequestMessage(HttpMethod.Get, $"/range/{prefix}"))
        {
            gz.Headers.Add("Accept-Encoding", "br;q=1, gzip;q=0.8");
            var zipped = await c.SendAsync(gz);
            Assert.Equal("gzip", Assert.Single(zipped.Content.Headers.ContentEncoding));
            var raw = await zipped.Content.ReadAsByteArrayAsync();
            using var unzip = new System.IO.Compression.GZipStream(new MemoryStream(raw), System.IO.Compression.CompressionMode.Decompress);
            Assert.Equal($"{suffix}:2", new StreamReader(unzip).ReadToEnd());
            Assert.NotEqual(etag, zipped.Headers.ETag);
            Assert.False(zipped.Headers.ETag!.IsWeak);
            Assert.Contains("Accept-Encoding", zipped.Headers.Vary);

            using var again = new HttpRequestMessage(HttpMethod.Get, $"/range/{prefix}");
            again.Headers.Add("Accept-Encoding", "gzip");
            again.Headers.IfNoneMatch.Add(zipped.Headers.ETag);
            Assert.Equal(HttpStatusCode.NotModified, (await c.SendAsync(again)).StatusCode);
        }

        foreach (var (acceptEncoding, padding) in new[] { ("gzip;q=0", false), ("identity", false), ("gzip", true) })
        {
            using var plain = new HttpRequestMessage(HttpMethod.Get, $"/range/{prefix}");
            plain.Headers.Add("Accept-Encoding", acceptEncoding);
            if (padding)
            {
                plain.Headers.Add("Add-Padding", "true");
            }

            var answer = await c.SendAsync(plain);
            Assert.Empty(answer.Content.Headers.ContentEncoding);
            Assert.Contains($"{suffix}:2", await answer.Content.ReadAsStringAsync());
        }

        Assert.Equal(HttpStatusCode.OK, (await c.GetAsync("/range/00000")).StatusCode); // every valid prefix, never 404
        Assert.Equal("", await c.GetStringAsync("/range/00000"));
        var bad = await c.GetAsync("/range/XYZ12");
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);

        // A second ingest adds to the counts; the running server serves the new body and a new ETag.
        File.WriteAllLines(list, ["password"]);
        Assert.Equal(0, LeakwatchProcess.Run(["--data-dir", dir.DataDir, "ingest-passwords", list, "--mode", "plain"]).ExitCode);
        var after = await PollForCount(c, prefix, suffix, 3);
        Assert.Equal($"{suffix}:3", await after.Content.ReadAsStringAsync());
        Assert.NotEqual(etag, after.Headers.ETag);
    }

    [Theory]
    [InlineData("gzip", true)]
    [InlineData("GZIP", true)]
    [InlineData("deflate, gzip", true)]
    [InlineData("br;q=1.0, gzip;q=0.5", true)]
    [InlineData("*", true)]
    [InlineData("gzip;q=0", false)]
    [InlineData("gzip; q=0.000", false)]
    [InlineData("identity", false)]
    [InlineData("br, deflate", false)]
    [InlineData("", false)]
    [InlineData("xgzip", false)]
    public void AcceptsGzip_FollowsAcceptEncoding(string header, bool expected) =>
        Assert.Equal(expected, PwnedPasswordsEndpoints.AcceptsGzip(header));

    private static string WriteTinyDump(TempDir dir)
    {
        var path = dir.File("tiny.csv");
        File.WriteAllText(path, "email,phone\nsomeone@example.com,+447911123456\n");
        return path;
    }
}
