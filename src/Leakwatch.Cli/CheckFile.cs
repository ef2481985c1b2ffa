using System.Buffers;
using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Leakwatch.Catalog.Lookup;
using Leakwatch.Core;
using Leakwatch.Core.Errors;

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

    /// <summary>One block: every line's output line, in order.</summary>
    private PooledByteBuffer Check(AccountBlock block)
    {
        var output = new PooledByteBuffer(block.Length * 2 + 4096);
        var chars = ArrayPool<char>.Shared.Rent(1024);
        using var json = new Utf8JsonWriter(output, WriterOptions);
        var found = false;
        var invalid = false;
        try
        {
            var lines = block.Lines();
            while (lines.TryRead(out var line))
            {
                if (chars.Length < line.Length)
                {
                    ArrayPool<char>.Shared.Return(chars);
                    chars = ArrayPool<char>.Shared.Rent(line.Length);
                }

                var account = chars.AsSpan(0, Encoding.UTF8.GetChars(line, chars));
                output.Write("{\"account\":"u8);
                WriteString(output, json, line, account);
                var kind = _lookup.TryKey(account, _phones, out var key);
                if (kind == AccountKind.Invalid)
                {
                    invalid = true;
                    output.Write(",\"breaches\":[],\"error\":\"line "u8);
                    WriteNumber(output, lines.LineNumber);
                    output.Write(InvalidMessage);
                    output.Write("\"}\n"u8);
                    continue;
                }

                var set = _lookup.FindSet(key);
                var names = set < 0 ? "[]"u8 : (ReadOnlySpan<byte>)Names(set);
                found |= names.Length > 2;
                output.Write(",\"breaches\":"u8);
                output.Write(names);
                output.Write(_optedOut.Count > 0 && _optedOut.Contains(key) ? ",\"optedOut\":true}\n"u8 : "}\n"u8);
            }
        }
        finally
        {
            ArrayPool<char>.Shared.Return(chars);
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

    /// <summary>An account as a JSON string: printable ASCII without quote or backslash is copied as it is; anything
    /// else goes through the same escaping as <c>check --json</c>.</summary>
    private static void WriteString(PooledByteBuffer output, Utf8JsonWriter json, ReadOnlySpan<byte> utf8, ReadOnlySpan<char> chars)
    {
        if (!utf8.ContainsAnyExceptInRange((byte)0x20, (byte)0x7E) && utf8.IndexOfAny((byte)'"', (byte)'\\') < 0)
        {
            output.Write((byte)'"');
            output.Write(utf8);
            output.Write((byte)'"');
            return;
        }

        json.Reset();
        json.WriteStringValue(chars);
        json.Flush();
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
