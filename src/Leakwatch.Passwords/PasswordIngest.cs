using System.Buffers;
using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using System.Text.Unicode;
using Leakwatch.Core.Errors;
using Leakwatch.Storage;
using Leakwatch.Storage.Retention;

namespace Leakwatch.Passwords;

/// <summary>
/// Loads HIBP corpus files (<c>HASH:COUNT</c>) or plaintext password lists into the password store:
/// external sort of the input into sorted runs, one linear merge with the published files, an atomic
/// manifest swap. Counts add up across lines, files and ingests. A failure or kill before the swap
/// leaves the previous store untouched.
/// </summary>
public static class PasswordIngest
{
    public const int MaxMalformedSamples = 10;

    public static PasswordIngestStats Run(string dataDir, IReadOnlyList<string> files, PasswordInputMode mode, IProgress<long>? progress = null, CancellationToken ct = default) =>
        Run(dataDir, files, mode, new PasswordIngestOptions(), progress, ct);

    public static PasswordIngestStats Run(string dataDir, IReadOnlyList<string> files, PasswordInputMode mode, PasswordIngestOptions options, IProgress<long>? progress = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(files);
        ArgumentNullException.ThrowIfNull(options);
        var clock = Stopwatch.StartNew();
        RequireFiles(files);
        if (mode == PasswordInputMode.Auto)
        {
            mode = DetectMode(files[0]);
        }

        var dir = PasswordManifest.Dir(dataDir);
        Directory.CreateDirectory(dir);
        using var writeLock = Lock(dir);
        var tempDir = Path.Combine(dir, "tmp");
        var current = PasswordManifest.Read(dir);
        var retention = options.Retention ?? GenerationRetention.Default;
        CollectGarbage(dir, current, retention);

        var modes = mode == PasswordInputMode.Plain ? new[] { PasswordHashMode.Sha1, PasswordHashMode.Ntlm }
            : mode == PasswordInputMode.Sha1 ? new[] { PasswordHashMode.Sha1 } : new[] { PasswordHashMode.Ntlm };
        var spillers = new RunSpiller?[2];
        var newFiles = new List<string>();
        var published = false;
        try
        {
            foreach (var m in modes)
            {
                spillers[(int)m] = new RunSpiller(tempDir, PasswordRangeFormat.ModeName(m), options.RunBytes / modes.Length);
            }

            var reader = new InputReader(mode, spillers, progress, ct);
            foreach (var f in files)
            {
                reader.ReadFile(f);
            }

            ReachKillPoint(options, "read");

            var generation = (current?.Generation ?? 0) + 1;
            var (next, newSha1, newNtlm) = MergeGeneration(dir, current, modes, spillers, generation, newFiles, options, ct);
            FileSync.Directory(dir);
            ReachKillPoint(options, "publish");
            next.Publish(dir);
            published = true;
            ReachKillPoint(options, "published");
            CollectGarbage(dir, next, retention);
            return new PasswordIngestStats
            {
                Mode = mode.ToString().ToLowerInvariant(),
                Files = files.Count,
                Lines = reader.Lines,
                ValidLines = reader.Valid,
                BlankLines = reader.Blank,
                MalformedLines = reader.Malformed,
                MalformedSamples = reader.Samples,
                CountAdded = reader.CountAdded,
                NewSha1Hashes = newSha1,
                NewNtlmHashes = newNtlm,
                Sha1Hashes = next.Sha1Hashes,
                NtlmHashes = next.NtlmHashes,
                SpilledRuns = (spillers[0]?.SpilledRuns ?? 0) + (spillers[1]?.SpilledRuns ?? 0),
                Generation = generation,
                Seconds = clock.Elapsed.TotalSeconds,
            };
        }
        finally
        {
            foreach (var s in spillers)
            {
                s?.Dispose();
            }

            if (!published)
            {
                foreach (var f in newFiles)
                {
                    FileSync.TryDelete(f);
                }
            }
        }
    }

    /// <summary>Merges each mode's sorted runs with the published file into a new file of this generation; the
    /// manifest that lists them is returned, not yet published.</summary>
    internal static (PasswordManifest Next, long NewSha1, long NewNtlm) MergeGeneration(string dir, PasswordManifest? current,
        PasswordHashMode[] modes, RunSpiller?[] spillers, long generation, List<string> newFiles, PasswordIngestOptions options, CancellationToken ct)
    {
        var next = new PasswordManifest { Generation = generation, Published = DateTimeOffset.UtcNow };
        next = next with { Sha1 = current?.Sha1, Sha1Hashes = current?.Sha1Hashes ?? 0, Ntlm = current?.Ntlm, NtlmHashes = current?.NtlmHashes ?? 0 };
        long newSha1 = 0, newNtlm = 0;
        using (var existing = current is null ? null : PasswordRangeStore.Open(dir, current))
        {
            foreach (var m in modes)
            {
                ct.ThrowIfCancellationRequested();
                var name = $"{PasswordRangeFormat.ModeName(m)}-gen-{generation:D8}-{Guid.NewGuid():N}.lwp";
                var path = Path.Combine(dir, name);
                newFiles.Add(path);
                var (count, fresh) = Merge(existing?.FileFor(m), spillers[(int)m]!, path, m, generation, ct);
                next = m == PasswordHashMode.Sha1 ? next with { Sha1 = name, Sha1Hashes = count } : next with { Ntlm = name, NtlmHashes = count };
                if (m == PasswordHashMode.Sha1)
                {
                    newSha1 = fresh;
                }
                else
                {
                    newNtlm = fresh;
                }

                ReachKillPoint(options, $"merged-{PasswordRangeFormat.ModeName(m)}");
            }
        }

        var retention = options.Retention ?? GenerationRetention.Default;
        next = next with { Retired = retention.Retire(current?.Retired, [current?.Sha1, current?.Ntlm], [next.Sha1, next.Ntlm]) };
        return (next, newSha1, newNtlm);
    }

    /// <summary>The unit tests' in-process hook, and the faults script's SIGKILL hook (points prefixed <c>passwords-</c>).</summary>
    private static void ReachKillPoint(PasswordIngestOptions options, string point)
    {
        options.KillPoint?.Invoke(point);
        TestKillPoint.Reached("passwords-" + point);
    }

    private static void RequireFiles(IReadOnlyList<string> files)
    {
        if (files.Count == 0)
        {
            throw new PasswordInputException("no input files");
        }

        foreach (var f in files)
        {
            if (!File.Exists(f))
            {
                throw new PasswordInputException($"{f}: file not found");
            }
        }
    }

    private static (long Count, long Fresh) Merge(PasswordRangeReader? existing, RunSpiller spiller, string path, PasswordHashMode mode, long generation, CancellationToken ct)
    {
        using var input = spiller.Merge();
        using var old = existing?.OpenCursor();
        using var writer = new PasswordRangeWriter(path, mode, generation);
        var haveOld = old?.MoveNext() ?? false;
        var haveNew = input.MoveNext();
        long fresh = 0;
        while (haveOld || haveNew)
        {
            if ((writer.Count & 0xFFFFF) == 0)
            {
                ct.ThrowIfCancellationRequested();
            }

            var c = !haveOld ? 1 : !haveNew ? -1 : old!.Current.CompareTo(input.Current);
            if (c < 0)
            {
                writer.Add(old!.Current);
                haveOld = old.MoveNext();
            }
            else if (c > 0)
            {
                writer.Add(input.Current);
                fresh++;
                haveNew = input.MoveNext();
            }
            else
            {
                var r = old!.Current;
                r.Count = Counts.Add(r.Count, input.Current.Count);
                writer.Add(r);
                haveOld = old.MoveNext();
                haveNew = input.MoveNext();
            }
        }

        writer.Finish();
        return (writer.Count, fresh);
    }

    private static PasswordInputMode DetectMode(string file)
    {
        using var reader = new LineReader(file);
        while (reader.TryReadLine(out var line, out var tooLong))
        {
            if (!tooLong && line.Trim(" \t"u8).IsEmpty)
            {
                continue;
            }

            var colon = line.IndexOf((byte)':');
            var hashLength = (colon < 0 ? line : line[..colon]).Trim(" \t"u8).Length;
            return hashLength switch
            {
                40 => PasswordInputMode.Sha1,
                32 => PasswordInputMode.Ntlm,
                _ => throw new PasswordInputException($"{file}: line {reader.LineNumber} is not a 40-hex SHA-1 or 32-hex NTLM HASH:COUNT line; pass --mode sha1|ntlm|plain"),
            };
        }

        throw new PasswordInputException($"{file}: no valid line (the file is empty)");
    }

    internal static FileStream Lock(string dir)
    {
        try
        {
            return new FileStream(Path.Combine(dir, ".lock"), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.DeleteOnClose);
        }
        catch (IOException)
        {
            throw new PasswordStoreBusyException($"{dir}: another password ingest is running (lock held on .lock)");
        }
    }

    /// <summary>
    /// The sweep another writer of the data dir (ingest, remove) runs before it writes: deletes what
    /// <see cref="Leftovers"/> lists, under this store's lock, so a running password ingest's runs and unpublished
    /// files are never taken. Returns false, deleting nothing, when the lock is held (a busy store is a
    /// <see cref="PasswordStoreCorruptException"/> too) or the manifest is unreadable (`fsck` reports that).
    /// </summary>
    public static bool TrySweepLeftovers(string dataDir, GenerationRetention? retention = null)
    {
        var dir = PasswordManifest.Dir(dataDir);
        if (!Directory.Exists(dir))
        {
            return true;
        }

        try
        {
            using var writeLock = Lock(dir);
            CollectGarbage(dir, PasswordManifest.Read(dir), retention ?? GenerationRetention.Default);
            return true;
        }
        catch (Exception e) when (e is PasswordStoreCorruptException or IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>Deletes range files the manifest does not name and leftover sorted runs (from kills or old generations),
    /// except replaced files still within the retention period.</summary>
    internal static void CollectGarbage(string dir, PasswordManifest? current, GenerationRetention retention)
    {
        foreach (var file in Leftovers(dir, current, retention))
        {
            FileSync.TryDelete(file);
        }
    }

    /// <summary>What the next ingest's sweep deletes under <paramref name="dir"/>: store files the manifest neither
    /// names nor retains, the manifest's temp file and spilled runs. `fsck` lists them as orphans.</summary>
    internal static List<string> Leftovers(string dir, PasswordManifest? current, GenerationRetention retention)
    {
        var files = new List<string>();
        if (!Directory.Exists(dir))
        {
            return files;
        }

        var kept = retention.Kept(current?.Retired);
        foreach (var file in Directory.EnumerateFiles(dir, "*.lwp"))
        {
            var name = Path.GetFileName(file);
            if (name != current?.Sha1 && name != current?.Ntlm && !kept.Contains(name))
            {
                files.Add(file);
            }
        }

        var manifestTemp = Path.Combine(dir, PasswordManifest.FileName + ".tmp");
        if (File.Exists(manifestTemp))
        {
            files.Add(manifestTemp);
        }

        var tmp = Path.Combine(dir, "tmp");
        if (Directory.Exists(tmp))
        {
            files.AddRange(Directory.EnumerateFiles(tmp));
        }

        return files;
    }

    /// <summary>Parses input lines into the spillers and keeps the counts of what it saw.</summary>
    private sealed class InputReader(PasswordInputMode mode, RunSpiller?[] spillers, IProgress<long>? progress, CancellationToken ct)
    {
        private readonly byte[] _hash = new byte[20];
        private readonly byte[] _sha1 = new byte[20];
        private readonly byte[] _ntlm = new byte[16];
        private readonly char[] _chars = new char[LineReader.MaxLineBytes];
        private readonly byte[] _utf16 = new byte[2 * LineReader.MaxLineBytes];
        private readonly List<string> _samples = [];

        public long Lines { get; private set; }

        public long Valid { get; private set; }

        public long Blank { get; private set; }

        public long Malformed { get; private set; }

        public long CountAdded { get; private set; }

        public IReadOnlyList<string> Samples => _samples;

        public void ReadFile(string file)
        {
            long valid = 0, malformed = 0;
            using var reader = new LineReader(file);
            while (reader.TryReadLine(out var line, out var tooLong))
            {
                Lines++;
                if ((Lines & 0xFFFF) == 0)
                {
                    ct.ThrowIfCancellationRequested();
                    progress?.Report(Lines);
                }

                string? problem;
                if (tooLong)
                {
                    problem = "line too long";
                }
                else if (mode == PasswordInputMode.Plain)
                {
                    if (line.IsEmpty)
                    {
                        Blank++;
                        continue;
                    }

                    problem = AddPassword(line);
                }
                else
                {
                    var trimmed = line.Trim(" \t"u8);
                    if (trimmed.IsEmpty)
                    {
                        Blank++;
                        continue;
                    }

                    problem = AddHashLine(trimmed);
                }

                if (problem is null)
                {
                    valid++;
                    continue;
                }

                malformed++;
                if (_samples.Count < MaxMalformedSamples)
                {
                    _samples.Add($"{file}:{reader.LineNumber}: {problem}");
                }
            }

            Valid += valid;
            Malformed += malformed;
            progress?.Report(Lines);
            if (valid == 0)
            {
                throw new PasswordInputException(malformed == 0
                    ? $"{file}: no valid line (the file is empty)"
                    : $"{file}: no valid line ({malformed:N0} malformed; first at line {FirstLineOf(file)})");
            }
        }

        private string FirstLineOf(string file)
        {
            foreach (var s in _samples)
            {
                if (s.StartsWith(file + ":", StringComparison.Ordinal))
                {
                    var rest = s[(file.Length + 1)..];
                    return rest[..rest.IndexOf(':')];
                }
            }

            return "?";
        }

        private string? AddHashLine(ReadOnlySpan<byte> line)
        {
            var colon = line.IndexOf((byte)':');
            if (colon < 0)
            {
                return "missing count";
            }

            var hex = line[..colon].TrimEnd(" \t"u8);
            var digits = line[(colon + 1)..].TrimStart(" \t"u8);
            var hashMode = mode == PasswordInputMode.Sha1 ? PasswordHashMode.Sha1 : PasswordHashMode.Ntlm;
            var hashBytes = PasswordRangeFormat.HashBytes(hashMode);
            if (hex.Length != 2 * hashBytes)
            {
                return $"hash is not {2 * hashBytes} hex digits";
            }

            var hash = _hash.AsSpan(0, hashBytes);
            if (!Hex.TryDecode(hex, hash))
            {
                return "hash is not hexadecimal";
            }

            if (digits.IsEmpty || digits.Length > 19)
            {
                return "count is not a number from 1 to 10^19";
            }

            ulong count = 0;
            foreach (var d in digits)
            {
                var v = (uint)(d - '0');
                if (v > 9)
                {
                    return "count is not a decimal number";
                }

                count = count * 10 + v;
            }

            if (count == 0)
            {
                return "count is 0";
            }

            spillers[(int)hashMode]!.Add(HashRecord.FromHash(hash, count));
            CountAdded = (long)Math.Min((ulong)long.MaxValue, (ulong)CountAdded + count);
            return null;
        }

        private string? AddPassword(ReadOnlySpan<byte> utf8)
        {
            if (Utf8.ToUtf16(utf8, _chars, out _, out var chars, replaceInvalidSequences: false) != OperationStatus.Done)
            {
                return "not valid UTF-8";
            }

            var utf16 = Encoding.Unicode.GetBytes(_chars.AsSpan(0, chars), _utf16);
            SHA1.HashData(utf8, _sha1);
            Md4.HashData(_utf16.AsSpan(0, utf16), _ntlm);
            spillers[(int)PasswordHashMode.Sha1]!.Add(HashRecord.FromHash(_sha1, 1));
            spillers[(int)PasswordHashMode.Ntlm]!.Add(HashRecord.FromHash(_ntlm, 1));
            CountAdded++;
            return null;
        }
    }
}
