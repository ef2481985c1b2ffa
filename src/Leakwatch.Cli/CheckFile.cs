using System.Buffers;
using System.Collections.Concurrent;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Leakwatch.Catalog.Lookup;
using Leakwatch.Core;
using Leakwatch.Core.Errors;
using Leakwatch.Index;

namespace Leakwatch.Cli;

/// <summary>
/// <c>check --file</c>: one account per line in, one <c>--json</c> line per account out, in input order, at CLI
/// speed. The input is read in blocks of whole lines (<see cref="AccountBlockReader"/>); each block is normalised,
/// hashed and looked up on the thread pool (both cores), and the writer takes the blocks' output in order. A
/// line's breaches are written from bytes rendered once per breach set of the index, not per account.
/// </summary>
internal sealed class CheckFile
{
    private static readonly byte[] InvalidMessage = ": not a valid email address or phone number"u8.ToArray();
    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, SkipValidation = true };

    private readonly ExposureLookup _lookup;
    private readonly Lazy<PhoneNormalizer> _phones;
    private readonly HashSet<UInt128> _optedOut;
    private readonly byte[]?[] _sets;
    private int _found;
    private int _invalid;

    public CheckFile(ExposureLookup lookup, Lazy<PhoneNormalizer> phones, HashSet<UInt128> optedOut)
    {
        _lookup = lookup;
        _phones = phones;
        _optedOut = optedOut;
        _sets = new byte[]?[lookup.SetCount];
    }

    public bool Found => Volatile.Read(ref _found) != 0;

    public bool Invalid => Volatile.Read(ref _invalid) != 0;

    /// <summary>Opens FILE, or stdin for <c>-</c>; a file that cannot be opened is a one-line error naming it.</summary>
    public static Stream Open(string file)
    {
        if (file == "-")
        {
            return Console.OpenStandardInput();
        }

        try
        {
            return new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            throw new LeakwatchException(ErrorKind.BadInput, $"{file}: cannot read: {e.Message}", e);
        }
    }

    /// <summary>Checks every account of <paramref name="input"/>, writing NDJSON to <paramref name="output"/>.</summary>
    public void Run(Stream input, string name, Stream output)
    {
        var inFlight = Math.Max(2, 2 * Environment.ProcessorCount);
        using var queue = new BlockingCollection<Task<PooledByteBuffer>>(inFlight);
        using var reader = new AccountBlockReader(input);
        Exception? readError = null;
        var producer = new Thread(() =>
        {
            try
            {
                while (reader.TryRead(out var block))
                {
                    queue.Add(Task.Run(() => Check(block)));
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                readError = e;
            }
            finally
            {
                queue.CompleteAdding();
            }
        })
        { IsBackground = true, Name = "check-file-reader" };
        producer.Start();
        foreach (var task in queue.GetConsumingEnumerable())
        {
            var written = task.GetAwaiter().GetResult();
            output.Write(written.Written);
            written.Return();
        }

        producer.Join();
        output.Flush();
        if (readError is not null)
        {
            throw new LeakwatchException(ErrorKind.BadInput, $"{name}: cannot read: {readError.Message}", readError);
        }
    }

    /// <summary>One block: every line's output line, in order. Lines go in groups: each line's key is computed and its
    /// index bucket prefetched, then each key's first probe is prefetched, and only then are they looked up and
    /// written, so the index's cache misses of a group overlap (the lookups were a fifth of the time, most of it
    /// waiting on memory, one miss after another). Fully optimised from the first call: it runs a few dozen times per
    /// process, each over thousands of lines, so tiering would run it unoptimised with on-stack replacement, and the
    /// methods it inlines instrumented for profile-guided optimisation.</summary>
    [SkipLocalsInit]
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private PooledByteBuffer Check(AccountBlock block)
    {
        const int Group = 16;
        var output = new PooledByteBuffer(block.Length * 2 + 4096);
        using var json = new Utf8JsonWriter(output, WriterOptions);
        Span<int> starts = stackalloc int[Group];
        Span<int> lengths = stackalloc int[Group];
        Span<long> numbers = stackalloc long[Group];
        Span<UInt128> keys = stackalloc UInt128[Group];
        Span<bool> valid = stackalloc bool[Group];
        var text = block.Buffer.AsSpan(0, block.Length);
        var found = false;
        var invalid = false;
        try
        {
            var lines = block.Lines();
            while (true)
            {
                var count = 0;
                while (count < Group && lines.TryRead(out var line))
                {
                    starts[count] = (int)Unsafe.ByteOffset(ref MemoryMarshal.GetReference(text), ref MemoryMarshal.GetReference(line));
                    lengths[count] = line.Length;
                    numbers[count] = lines.LineNumber;
                    valid[count] = _lookup.TryKeyUtf8(line, _phones, out keys[count]) != AccountKind.Invalid;
                    if (valid[count])
                    {
                        _lookup.Prefetch(keys[count], PrefetchStage.Bucket);
                    }

                    count++;
                }

                if (count == 0)
                {
                    break;
                }

                for (var i = 0; i < count; i++)
                {
                    if (valid[i])
                    {
                        _lookup.Prefetch(keys[i], PrefetchStage.FirstProbe);
                    }
                }

                for (var i = 0; i < count; i++)
                {
                    invalid |= !valid[i];
                    found |= WriteLine(output, json, text.Slice(starts[i], lengths[i]), valid[i], keys[i], numbers[i]);
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(block.Buffer);
        }

        if (found)
        {
            Volatile.Write(ref _found, 1);
        }

        if (invalid)
        {
            Volatile.Write(ref _invalid, 1);
        }

        return output;
    }

    /// <summary>One output line; true when the account is in a breach.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private bool WriteLine(PooledByteBuffer output, Utf8JsonWriter json, ReadOnlySpan<byte> account, bool valid, UInt128 key, long number)
    {
        output.Write("{\"account\":"u8);
        WriteString(output, json, account);
        if (!valid)
        {
            output.Write(",\"breaches\":[],\"error\":\"line "u8);
            WriteNumber(output, number);
            output.Write(InvalidMessage);
            output.Write("\"}\n"u8);
            return false;
        }

        var set = _lookup.FindSet(key);
        var names = set < 0 ? "[]"u8 : (ReadOnlySpan<byte>)Names(set);
        output.Write(",\"breaches\":"u8);
        output.Write(names);
        output.Write(_optedOut.Count > 0 && _optedOut.Contains(key) ? ",\"optedOut\":true}\n"u8 : "}\n"u8);
        return names.Length > 2;
    }

    /// <summary>An account as a JSON string: printable ASCII without quote or backslash is copied as it is; anything
    /// else is decoded (invalid UTF-8 as U+FFFD) and goes through the same escaping as <c>check --json</c>.</summary>
    private static void WriteString(PooledByteBuffer output, Utf8JsonWriter json, ReadOnlySpan<byte> utf8)
    {
        if (IsPlain(utf8))
        {
            output.Write((byte)'"');
            output.Write(utf8);
            output.Write((byte)'"');
            return;
        }

        var chars = ArrayPool<char>.Shared.Rent(utf8.Length);
        try
        {
            json.Reset();
            json.WriteStringValue(chars.AsSpan(0, Encoding.UTF8.GetChars(utf8, chars)));
            json.Flush();
        }
        finally
        {
            ArrayPool<char>.Shared.Return(chars);
        }
    }

    /// <summary>Printable ASCII without quote or backslash: a plain loop, as lines are short and in a short process
    /// the vectorised span helpers ran their instrumented tier.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool IsPlain(ReadOnlySpan<byte> utf8)
    {
        foreach (var b in utf8)
        {
            if (b is < 0x20 or > 0x7E or (byte)'"' or (byte)'\\')
            {
                return false;
            }
        }

        return true;
    }

    private static void WriteNumber(PooledByteBuffer output, long n)
    {
        n.TryFormat(output.GetSpan(20), out var written, default, CultureInfo.InvariantCulture);
        output.Advance(written);
    }

    /// <summary>The <c>["Name",…]</c> of a breach set, rendered on first use (two threads may both render one; they
    /// write the same bytes).</summary>
    private byte[] Names(int set)
    {
        if (Volatile.Read(ref _sets[set]) is { } ready)
        {
            return ready;
        }

        var buffer = new ArrayBufferWriter<byte>(64);
        using (var w = new Utf8JsonWriter(buffer, WriterOptions))
        {
            w.WriteStartArray();
            foreach (var b in _lookup.SetBreaches(set))
            {
                w.WriteStringValue(b.Name);
            }

            w.WriteEndArray();
        }

        var bytes = buffer.WrittenSpan.ToArray();
        Volatile.Write(ref _sets[set], bytes);
        return bytes;
    }
}
