using System.IO.Compression;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Leakwatch.Core;
using Leakwatch.Export;
using Leakwatch.Privacy.Buckets;
using Leakwatch.Synthetic;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.StaticFiles;
using Microsoft.Extensions.FileProviders;

namespace Leakwatch.Server.Tests;

/// <summary><c>leakwatch export</c>: static files equal to what <c>serve</c> answers, incremental re-exports, and
/// private lookups whose bucket comes from the export.</summary>
public class ExportTests
{
    private static string Sha1Hex(string s) => Convert.ToHexString(SHA1.HashData(Encoding.UTF8.GetBytes(s)));

    private static string NtlmHex(string s) => Convert.ToHexString(Leakwatch.Passwords.Md4.HashData(Encoding.Unicode.GetBytes(s)));

    private static int Prefix(string hex) => Convert.ToInt32(hex[..5], 16);

    private static ExportResult Export(TempDir dir, string outDir, HashSet<int> prefixes) => StaticExport.Run(new ExportOptions
    {
        DataDir = dir.DataDir,
        KeyFilePath = dir.KeyFile,
        OutDir = outDir,
        IncludePrefix = prefixes.Contains,
    });

    private static Dictionary<string, string> ManifestRanges(string outDir)
    {
        var root = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(outDir, ExportLayout.ManifestName))).RootElement;
        return root.GetProperty("ranges").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString()!);
    }

    [Fact]
    public async Task Export_RangesAndGzipAndETags_EqualServeByteForByte_ThenReExportRewritesOnlyChanged()
    {
        using var dir = new TempDir();
        var passwords = Enumerable.Range(0, 400).Select(i => $"pw-{i}").ToList();
        var list = dir.File("passwords.txt");
        File.WriteAllLines(list, [.. passwords, "password", "password"]);
        Assert.Equal(0, LeakwatchProcess.Run(["--data-dir", dir.DataDir, "ingest-passwords", list, "--mode", "plain"]).ExitCode);

        var added = new[] { "added-one", "added-two", "password" }; // the last changes a count, not the set
        var prefixes = new HashSet<int> { 0, 0xFFFFF, 0x12345 };
        foreach (var p in passwords.Take(40).Concat(added))
        {
            prefixes.Add(Prefix(Sha1Hex(p)));
            prefixes.Add(Prefix(NtlmHex(p)));
        }

        var outDir = Path.Combine(dir.Path, "export");
        var first = Export(dir, outDir, prefixes);
        Assert.True(first.Full);
        Assert.Equal(4L * prefixes.Count, first.Written);
        var manifest = ManifestRanges(outDir);
        Assert.Equal(2 * (1 << 20), manifest.Count);

        await AssertFilesAreServeAnswers(dir, outDir, prefixes, manifest);

        var untouched = Path.Combine(outDir, "range", "sha1", ExportLayout.PrefixText(Prefix(Sha1Hex(passwords[0]))));
        var untouchedTime = File.GetLastWriteTimeUtc(untouched);
        var more = dir.File("more.txt");
        File.WriteAllLines(more, added);
        Assert.Equal(0, LeakwatchProcess.Run(["--data-dir", dir.DataDir, "ingest-passwords", more, "--mode", "plain"]).ExitCode);
        var second = Export(dir, outDir, prefixes);

        var expected = new List<string>();
        foreach (var (mode, hex) in added.Select(a => ("sha1", Sha1Hex(a))).Concat(added.Select(a => ("ntlm", NtlmHex(a)))).Distinct())
        {
            var path = $"/range/{mode}/{ExportLayout.PrefixText(Prefix(hex))}";
            expected.Add(path);
            expected.Add(path + ".gz");
        }

        var changed = File.ReadAllLines(Path.Combine(outDir, ExportLayout.ChangedName));
        Assert.Equal(expected.Order(StringComparer.Ordinal), changed.Order(StringComparer.Ordinal));
        Assert.Equal(expected.Count, second.Written);
        Assert.False(second.Full);
        Assert.Equal(untouchedTime, File.GetLastWriteTimeUtc(untouched));
        Assert.Empty(Directory.EnumerateFiles(outDir, "*.tmp", SearchOption.AllDirectories));
        var after = ManifestRanges(outDir);
        Assert.Equal(expected.Count / 2, manifest.Count(kv => after[kv.Key] != kv.Value));

        // The changed files hold what the server now answers.
        await using (var server = await RunningServer.StartAsync(new ServerOptions { DataDir = dir.DataDir, KeyFilePath = dir.KeyFile, ConsoleLogging = false }))
        {
            using var c = server.Client(userAgent: null);
            var hex = Sha1Hex("added-one");
            var r = await c.GetAsync($"/range/{hex[..5]}");
            Assert.Equal(await r.Content.ReadAsByteArrayAsync(), await File.ReadAllBytesAsync(Path.Combine(outDir, "range", "sha1", hex[..5])));
            Assert.Contains(hex[5..] + ":1", await File.ReadAllTextAsync(Path.Combine(outDir, "range", "sha1", hex[..5])), StringComparison.Ordinal);
            Assert.Equal(r.Headers.ETag!.Tag, after[$"/range/sha1/{hex[..5]}"]);
        }

        // Nothing changed: nothing written, and changed.txt says so.
        var third = Export(dir, outDir, prefixes);
        Assert.Equal(0, third.Written);
        Assert.Empty(File.ReadAllLines(Path.Combine(outDir, ExportLayout.ChangedName)));
    }

    [Fact]
    public void Export_FreshAndIncremental_SameBytesETagsAndChangedLists_WhateverTheWorkerCount()
    {
        using var dir = new TempDir();
        var list = dir.File("passwords.txt");
        File.WriteAllLines(list, Enumerable.Range(0, 300).Select(i => $"pw-{i}"));
        Assert.Equal(0, LeakwatchProcess.Run(["--data-dir", dir.DataDir, "ingest-passwords", list, "--mode", "plain"]).ExitCode);
        var added = new[] { "later-one", "later-two", "pw-7" };
        var prefixes = new HashSet<int> { 0, 0xFFFFF };
        foreach (var p in Enumerable.Range(0, 30).Select(i => $"pw-{i}").Concat(added))
        {
            prefixes.Add(Prefix(Sha1Hex(p)));
            prefixes.Add(Prefix(NtlmHex(p)));
        }

        ExportResult Run(string outDir, int threads) => StaticExport.Run(new ExportOptions
        {
            DataDir = dir.DataDir,
            KeyFilePath = dir.KeyFile,
            OutDir = outDir,
            Threads = threads,
            IncludePrefix = prefixes.Contains,
        });

        // One worker, then three (two share a mode directory and its rewrites go through .tmp and rename).
        var incremental = Path.Combine(dir.Path, "incremental");
        Assert.True(Run(incremental, threads: 1).Full);
        var more = dir.File("more.txt");
        File.WriteAllLines(more, added);
        Assert.Equal(0, LeakwatchProcess.Run(["--data-dir", dir.DataDir, "ingest-passwords", more, "--mode", "plain"]).ExitCode);
        var second = Run(incremental, threads: 3);
        Assert.False(second.Full);
        var changed = File.ReadAllLines(Path.Combine(incremental, ExportLayout.ChangedName));
        Assert.Equal(2 * added.Select(a => Sha1Hex(a)[..5]).Distinct().Count() + 2 * added.Select(a => NtlmHex(a)[..5]).Distinct().Count(), changed.Length);
        Assert.Equal(changed.Length, second.Written);

        // A fresh export of the same store, on two workers: the same files, byte for byte, and the same manifests.
        var fresh = Path.Combine(dir.Path, "fresh");
        var full = Run(fresh, threads: 2);
        Assert.True(full.Full);
        Assert.Equal(4L * prefixes.Count, full.Written);
        var freshChanged = File.ReadAllLines(Path.Combine(fresh, ExportLayout.ChangedName));
        Assert.Equal(4 * prefixes.Count, freshChanged.Length);
        Assert.Subset(freshChanged.ToHashSet(StringComparer.Ordinal), changed.ToHashSet(StringComparer.Ordinal));
        var files = Directory.EnumerateFiles(Path.Combine(fresh, "range"), "*", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(fresh, f)).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(4 * prefixes.Count, files.Count);
        Assert.Equal(files, Directory.EnumerateFiles(Path.Combine(incremental, "range"), "*", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(incremental, f)).Order(StringComparer.Ordinal));
        foreach (var f in files)
        {
            Assert.Equal(File.ReadAllBytes(Path.Combine(fresh, f)), File.ReadAllBytes(Path.Combine(incremental, f)));
        }

        foreach (var name in new[] { ExportLayout.ManifestName, ExportLayout.NginxETagsName })
        {
            Assert.Equal(File.ReadAllBytes(Path.Combine(fresh, name)), File.ReadAllBytes(Path.Combine(incremental, name)));
        }

        Assert.False(Directory.Exists(Path.Combine(fresh, ".staging-range")));
    }

    /// <summary>Each file is the server's answer byte for byte, its .gz the server's gzip answer, and the manifest's tag the server's.</summary>
    private static async Task AssertFilesAreServeAnswers(TempDir dir, string outDir, HashSet<int> prefixes, Dictionary<string, string> manifest)
    {
        await using (var server = await RunningServer.StartAsync(new ServerOptions { DataDir = dir.DataDir, KeyFilePath = dir.KeyFile, ConsoleLogging = false }))
        {
            using var c = server.Client(userAgent: null);
            foreach (var p in prefixes)
            {
                foreach (var (mode, query) in new[] { ("sha1", ""), ("ntlm", "?mode=ntlm") })
                {
                    var text = ExportLayout.PrefixText(p);
                    var file = Path.Combine(outDir, "range", mode, text);
                    var r = await c.GetAsync($"/range/{text}{query}");
                    var served = await r.Content.ReadAsByteArrayAsync();
                    Assert.Equal(served, await File.ReadAllBytesAsync(file));
                    Assert.Equal(r.Headers.ETag!.Tag, manifest[$"/range/{mode}/{text}"]);
                    await using (var gz = new GZipStream(File.OpenRead(file + ".gz"), CompressionMode.Decompress))
                    using (var plain = new MemoryStream())
                    {
                        await gz.CopyToAsync(plain);
                        Assert.Equal(served, plain.ToArray());
                    }

                    // The gzip answer of serve: the same bytes as the .gz (one level, one zlib), under the tag's -gz form.
                    using var zipped = new HttpRequestMessage(HttpMethod.Get, $"/range/{text}{query}");
                    zipped.Headers.AcceptEncoding.ParseAdd("gzip");
                    var zr = await c.SendAsync(zipped);
                    Assert.Equal(await File.ReadAllBytesAsync(file + ".gz"), await zr.Content.ReadAsByteArrayAsync());
                    Assert.Equal(manifest[$"/range/{mode}/{text}"][..^1] + "-gz\"", zr.Headers.ETag!.Tag);
                }
            }
        }
    }

    [Fact]
    public void Export_HeaderFiles_MatchGoldenFile()
    {
        var source = SourcePath();
        var actual = $"== {ExportLayout.NginxHeadersName}\n{ExportHeaders.NginxRangeHeaders}== nginx-private-headers.conf\n{ExportHeaders.NginxBucketHeaders}== {ExportLayout.HeadersName}\n{ExportHeaders.HeadersFile}== {ExportLayout.NginxETagsName} (head)\n{ExportHeaders.NginxMapHead(2)}";
        if (Environment.GetEnvironmentVariable("LEAKWATCH_UPDATE_GOLDEN") == "1")
        {
            File.WriteAllText(Path.Combine(Path.GetDirectoryName(source)!, "Golden", "export-headers.txt"), actual);
        }

        var golden = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Golden", "export-headers.txt")).ReplaceLineEndings("\n");
        Assert.Equal(golden, actual.ReplaceLineEndings("\n"));
    }

    [Fact]
    public void ExportCommand_NoPasswordStoreOrUnwritableOut_OneLineErrors()
    {
        using var dir = new TempDir();
        var none = LeakwatchProcess.Run(["--data-dir", dir.DataDir, "export", "--out", Path.Combine(dir.Path, "out")]);
        Assert.Equal(4, none.ExitCode);
        Assert.Equal("no password store to export", Assert.Single(none.StderrLines).Split(": ")[^1].Split(" (")[0]);

        var list = dir.File("passwords.txt");
        File.WriteAllLines(list, ["password"]);
        Assert.Equal(0, LeakwatchProcess.Run(["--data-dir", dir.DataDir, "ingest-passwords", list, "--mode", "plain"]).ExitCode);
        var blocker = dir.File("a-file");
        File.WriteAllText(blocker, "x");
        var bad = LeakwatchProcess.Run(["--data-dir", dir.DataDir, "export", "--out", Path.Combine(blocker, "sub")]);
        Assert.Equal(2, bad.ExitCode);
        Assert.StartsWith($"leakwatch: error: --out {Path.Combine(blocker, "sub")}: cannot write the export there", Assert.Single(bad.StderrLines), StringComparison.Ordinal);
    }

    [Fact]
    public async Task PrivateLookup_ThroughStaticBuckets_SameAsOnline_AndNeverAnotherGeneration()
    {
        using var dir = new TempDir();
        var alpha = dir.File("alpha.csv");
        var beta = dir.File("beta.csv");
        var alphaTruth = DumpGenerator.Generate(new GeneratorOptions(1_500, 31, DumpShape.Csv), alpha, collectIdentifiers: true);
        var betaTruth = DumpGenerator.Generate(new GeneratorOptions(500, 32, DumpShape.Csv) { RecycleFrom = alpha, RecycleRate = 0.5 }, beta, collectIdentifiers: true);
        dir.Ingest(alpha, "Alpha", "--private");
        var list = dir.File("passwords.txt");
        File.WriteAllLines(list, ["password"]);
        Assert.Equal(0, LeakwatchProcess.Run(["--data-dir", dir.DataDir, "ingest-passwords", list, "--mode", "plain"]).ExitCode);
        var outDir = Path.Combine(dir.Path, "export");
        var first = Export(dir, outDir, [0]);
        Assert.NotNull(first.PrivateGeneration);
        Assert.True(first.PrivateBuckets > 0);

        await using var files = await StaticFiles.StartAsync(outDir);
        var options = new ServerOptions
        {
            DataDir = dir.DataDir,
            KeyFilePath = dir.KeyFile,
            ConsoleLogging = false,
            PrivateRpm = 100_000,
            PrivateGlobalRps = 100_000,
            PrivateStaticUrl = files.BaseUrl,
        };
        await using var server = await RunningServer.StartAsync(options);
        await using var online = await RunningServer.StartAsync(options with { PrivateStaticUrl = null });
        using var serverClient = server.Client();
        using var onlineClient = online.Client();
        using var staticClient = new HttpClient();
        var viaStatic = new PrivateHttpLookup(serverClient, staticClient);
        var viaServer = new PrivateHttpLookup(onlineClient, staticClient);
        var phones = new PhoneNormalizer("US");
        var accounts = alphaTruth.Emails!.Take(15).Concat(betaTruth.Emails!.Take(15)).Append("nobody-here@example.org").ToList();
        foreach (var account in accounts)
        {
            var input = PrivateLookupClient.TryCanonicalize(account, phones)!;
            Assert.Equal(await viaServer.FindAsync(input), await viaStatic.FindAsync(input));
            Assert.Equal("static", viaStatic.LastBucketSource);
            Assert.Equal("answer", viaServer.LastBucketSource);
        }

        // The static bucket is the bytes an evaluation sends.
        var evaluation = await serverClient.PostAsync("/api/private/evaluate", new StringContent(
            $"{{\"bucket\":3,\"blindedElement\":\"{Convert.ToBase64String(Leakwatch.Privacy.Oprf.OprfSuite.Blind("x"u8).BlindedElement)}\",\"entries\":true}}"));
        var answer = JsonDocument.Parse(await evaluation.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(Convert.FromBase64String(answer.GetProperty("entries").GetString()!),
            await File.ReadAllBytesAsync(Path.Combine(outDir, PrivateStaticBuckets.RelativePath(first.PrivateGeneration!.Value, 3))));

        // A publish the export has not caught up with: the static copy has no bucket of the new generation, and the
        // client asks the server for it rather than take the previous generation's (which lacks Beta).
        dir.Ingest(beta, "Beta", "--private");
        var recycled = betaTruth.Emails!.First(e => alphaTruth.Emails!.Contains(e));
        var recycledInput = PrivateLookupClient.TryCanonicalize(recycled, phones)!;
        var deadline = DateTime.UtcNow.AddSeconds(20);
        List<int> found;
        do
        {
            await Task.Delay(200);
            found = await new PrivateHttpLookup(serverClient, staticClient).FindAsync(recycledInput);
        }
        while (found.Count < 2 && DateTime.UtcNow < deadline);
        Assert.Equal(2, found.Count);
        var after = new PrivateHttpLookup(serverClient, staticClient);
        Assert.Equal(found, await after.FindAsync(recycledInput));
        Assert.Equal("fallback", after.LastBucketSource);
        var newGeneration = first.PrivateGeneration.Value + 1;
        Assert.Null(await after.GetStaticBucket(files.BaseUrl, newGeneration + 100, 0));

        // Re-exported: the new generation is static too, the previous one stays for lookups begun before the publish.
        var second = Export(dir, outDir, [0]);
        Assert.True(second.PrivateGeneration > first.PrivateGeneration);
        Assert.True(Directory.Exists(Path.Combine(outDir, "private", first.PrivateGeneration.Value.ToString(System.Globalization.CultureInfo.InvariantCulture))));
        var fresh = new PrivateHttpLookup(serverClient, staticClient);
        Assert.Equal(found, await fresh.FindAsync(recycledInput));
        Assert.Equal("static", fresh.LastBucketSource);
    }

    private static string SourcePath([System.Runtime.CompilerServices.CallerFilePath] string path = "") => path;

    /// <summary>A plain static file server on loopback, as object storage or nginx would serve the export.</summary>
    private sealed class StaticFiles : IAsyncDisposable
    {
        private readonly WebApplication _app;

        private StaticFiles(WebApplication app, string baseUrl)
        {
            _app = app;
            BaseUrl = baseUrl;
        }

        public string BaseUrl { get; }

        public static async Task<StaticFiles> StartAsync(string root)
        {
            var builder = WebApplication.CreateSlimBuilder();
            builder.WebHost.UseUrls("http://127.0.0.1:0");
            var app = builder.Build();
            app.UseStaticFiles(new StaticFileOptions
            {
                FileProvider = new PhysicalFileProvider(root),
                ServeUnknownFileTypes = true,
                DefaultContentType = "application/octet-stream",
                ContentTypeProvider = new FileExtensionContentTypeProvider(),
            });
            await app.StartAsync();
            return new StaticFiles(app, app.Urls.First());
        }

        public async ValueTask DisposeAsync() => await _app.DisposeAsync();
    }
}
