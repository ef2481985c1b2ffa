using System.Buffers;
using System.Collections.Concurrent;
using System.Runtime.ExceptionServices;

namespace Leakwatch.Reading;

/// <summary>
/// Parallel parsing within a file. One thread opens, decompresses and scans the input — the
/// <see cref="RecordScanner"/> byte guard, which already tracks quote parity, validates UTF-8 and counts lines —
/// and cuts its clean output into chunks at record boundaries it has proved (a newline outside any quoted
/// field). Parsing threads run Sep (or the JSON Lines reader) on whole chunks and hand rows to the sink.
/// So a chunk boundary is never a guess: quoted fields holding newlines, CRLF, lone CR, a last line without
/// a newline and skipped bad rows all split exactly as the single reader sees them, and line numbers are the
/// file's. Scanning is a few vectorised passes per byte, far cheaper than parsing and normalizing, so it stays
/// on one thread (compressed inputs included: decompression is sequential anyway).
/// </summary>
public static partial class DumpReader
{
    /// <summary>Reads <paramref name="path"/> like <see cref="Read"/> — same rows, values, line numbers and
    /// problems, same fatal errors — parsing on <paramref name="threads"/> threads beside the calling thread,
    /// which scans.</summary>
    public static void ReadParallel(string path, ReaderOptions options, int threads, IParallelDumpSink sink, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(sink);
        ArgumentOutOfRangeException.ThrowIfLessThan(threads, 1);
        var files = InputFiles(path, out var inDirectory);
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var token = cts.Token;
        using var queue = new BlockingCollection<ScannedChunk>(boundedCapacity: 2 * threads);
        Exception? parseError = null;
        var parsers = new Thread[threads];
        for (var t = 0; t < threads; t++)
        {
            var thread = t;
            parsers[t] = new Thread(() =>
            {
                try
                {
                    ParseChunks(thread, queue, sink, token);
                }
                catch (OperationCanceledException) when (token.IsCancellationRequested)
                {
                }
                catch (Exception e)
                {
                    Interlocked.CompareExchange(ref parseError, e, null);
                    cts.Cancel();
                }
            })
            { IsBackground = true, Name = $"dump-parse-{t}" };
            parsers[t].Start();
        }

        try
        {
            var anyContent = false;
            for (var i = 0; i < files.Count; i++)
            {
                token.ThrowIfCancellationRequested();
                anyContent |= ScanFile(i, files[i], options, inDirectory, sink, queue, token);
            }

            if (!anyContent)
            {
                throw new DumpFormatException(path, 0, $"no dump files found: all {files.Count} files are empty");
            }
        }
        catch (OperationCanceledException) when (parseError is not null)
        {
            // A parser failed and cancelled the scan; its error is the one to report.
        }
        catch
        {
            cts.Cancel();
            throw;
        }
        finally
        {
            queue.CompleteAdding();
            foreach (var p in parsers)
            {
                p.Join();
            }
        }

        if (parseError is not null)
        {
            ExceptionDispatchInfo.Capture(parseError).Throw();
        }

        ct.ThrowIfCancellationRequested();
    }

    /// <summary>Scans one file into chunks on the calling thread.</summary>
    private static bool ScanFile(int index, string file, ReaderOptions options, bool inDirectory, IParallelDumpSink sink,
        BlockingCollection<ScannedChunk> queue, CancellationToken ct)
    {
        using var input = DumpInput.Open(file, options, p => sink.OnProblem(index, p), inDirectory);
        if (input is null)
        {
            return false;
        }

        file = DisplayName(file);

        if (input.Sql || input.JsonArray)
        {
            ReadOnParser(index, file, input, options, sink, queue, ct);
            return true;
        }

        ChunkedFile layout;
        if (input.Ulp)
        {
            layout = new ChunkedFile(index, file, Ulp.UlpFileReader.Map, null, null) { Ulp = true };
            sink.OnFileStart(index, Ulp.UlpFileReader.Info(file, input.Compression) with { Encoding = input.Encoding.Name }, layout.Map);
        }
        else if (input.Json)
        {
            var json = JsonLinesFileReader.Prepare(file, input.Compression, input.SampleText);
            layout = new ChunkedFile(index, file, json.Map, null, json);
            sink.OnFileStart(index, json.Info with { Encoding = input.Encoding.Name }, json.Map);
        }
        else
        {
            var delimited = DelimitedFileReader.Prepare(file, input.Compression, input.SampleText, options);
            layout = new ChunkedFile(index, file, delimited.Map, delimited, null);
            sink.OnFileStart(index, delimited.Info with { Encoding = input.Encoding.Name }, delimited.Map);
        }

        var scanner = input.Scanner;
        var chunkBytes = Math.Max(1, options.ParallelChunkBytes);
        var chunk = new ChunkBuilder(layout, queue, chunkBytes, ct);
        try
        {
            while (true)
            {
                var run = scanner.NextClean();
                while (scanner.Problems.TryDequeue(out var problem))
                {
                    sink.OnProblem(index, problem);
                }

                if (run.IsEmpty)
                {
                    break;
                }

                CutIntoChunks(run.Span, scanner, chunk, chunkBytes);
            }

            chunk.Flush();
        }
        finally
        {
            chunk.Dispose();
        }

        return true;
    }

    /// <summary>The file itself, or the dump files of a directory; a missing path or an empty directory is fatal.</summary>
    private static List<string> InputFiles(string path, out bool inDirectory)
    {
        inDirectory = false;
        if (path == StandardInput || File.Exists(path))
        {
            return [path];
        }

        if (!Directory.Exists(path))
        {
            throw new DumpFormatException(path, 0, "no such file or directory");
        }

        var files = DumpFiles(path);
        inDirectory = true;
        if (files.Count == 0)
        {
            throw new DumpFormatException(path, 0, "no dump files found");
        }

        return files;
    }

    /// <summary>Appends one clean run to the chunk, cutting it after a record's newline wherever a chunk fills.
    /// Runs per clean run, not per byte, so the call costs nothing the loop did not already pay.</summary>
    private static void CutIntoChunks(ReadOnlySpan<byte> clean, RecordScanner scanner, ChunkBuilder chunk, int chunkBytes)
    {
        var span = clean;
        var line = scanner.RunStartLine;
        while (!span.IsEmpty)
        {
            var room = chunkBytes - chunk.Length;
            if (span.Length <= room || (!scanner.RunIsLines && chunk.Length == 0))
            {
                // One record spanning lines is never cut, however long.
                chunk.Append(span, line);
                span = default;
            }
            else if (!scanner.RunIsLines)
            {
                chunk.Flush();
            }
            else
            {
                // Every '\n' in a run of single-line records ends a record.
                var cut = room > 0 ? span[..room].LastIndexOf((byte)'\n') : -1;
                if (cut < 0 && chunk.Length > 0)
                {
                    chunk.Flush();
                    continue;
                }

                if (cut < 0)
                {
                    cut = span.IndexOf((byte)'\n');
                    cut = cut < 0 ? span.Length - 1 : cut;
                }

                var piece = span[..(cut + 1)];
                chunk.Append(piece, line);
                line += scanner.CountBreaks(piece);
                span = span[(cut + 1)..];
                chunk.Flush();
            }

            if (chunk.Length >= chunkBytes)
            {
                chunk.Flush();
            }
        }
    }

    private static void ParseChunks(int thread, BlockingCollection<ScannedChunk> queue, IParallelDumpSink sink, CancellationToken ct)
    {
        using var row = new BufferedDumpRow();
        using var sepRow = new SepDumpRow();
        var rows = new ThreadSink(sink, thread);
        ChunkedFile? current = null;
        Ulp.UlpDumpRow? ulpRow = null;
        foreach (var chunk in queue.GetConsumingEnumerable(ct))
        {
            try
            {
                if (!ReferenceEquals(chunk.File, current))
                {
                    current = chunk.File;
                    row.StartFile(current.Path, current.Map);
                    sepRow.StartFile(current.Path, current.Map);
                    rows.FileIndex = current.Index;
                    ulpRow = current.Ulp ? new Ulp.UlpDumpRow(current.Path) : null;
                }

                if (current.Serial is { } serial)
                {
                    serial(row, rows, ct);
                }
                else if (ulpRow is not null)
                {
                    Ulp.UlpFileReader.ParseChunk(current.Path, chunk.Buffer.AsSpan(0, chunk.Length), chunk.FirstLine, ulpRow, rows, ct);
                }
                else if (current.Delimited is { } delimited)
                {
                    DelimitedFileReader.ParseChunk(delimited, chunk.Buffer, chunk.Length, chunk.FirstLine, sepRow, rows, ct);
                }
                else
                {
                    JsonLinesFileReader.ParseChunk(current.Json!, chunk.Buffer.AsSpan(0, chunk.Length), chunk.FirstLine, row, rows, ct);
                }
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(chunk.Buffer);
            }
        }
    }

    /// <summary>SQL and JSON-array records are not lines, so such a file is not cut into chunks: one parsing
    /// thread reads it whole (<see cref="ChunkedFile.Serial"/>) while the scanning thread waits, so files still
    /// start in order and the sink sees that file's <c>OnFileStart</c> from that parsing thread.</summary>
    private static void ReadOnParser(int index, string file, DumpInput input, ReaderOptions options, IParallelDumpSink sink,
        BlockingCollection<ScannedChunk> queue, CancellationToken ct)
    {
        using var done = new ManualResetEventSlim();
        var layout = new ChunkedFile(index, file, ColumnMap.Empty, null, null)
        {
            Serial = (row, rows, token) =>
            {
                try
                {
                    using var raw = input.OpenRaw();
                    var serialSink = new EncodingNamingSink(new SerialFileSink(sink, index, rows), input.Encoding.Name);
                    if (input.Sql)
                    {
                        SqlDumpReader.Read(file, input.Compression, raw, options, serialSink, row, token);
                    }
                    else
                    {
                        JsonArrayFileReader.Read(file, input.Compression, raw, options, serialSink, row, token);
                    }
                }
                finally
                {
                    done.Set();
                }
            },
        };
        queue.Add(new ScannedChunk(layout, ArrayPool<byte>.Shared.Rent(1), 0, 1), ct);
        done.Wait(ct);
    }

    private sealed record ChunkedFile(int Index, string Path, ColumnMap Map, DelimitedLayout? Delimited, JsonLinesLayout? Json)
    {
        public Action<BufferedDumpRow, IDumpRowSink, CancellationToken>? Serial { get; init; }

        /// <summary>Stealer-log lines (<see cref="Ulp.UlpFileReader.ParseChunk"/>).</summary>
        public bool Ulp { get; init; }
    }

    private sealed record ScannedChunk(ChunkedFile File, byte[] Buffer, int Length, long FirstLine);

    /// <summary>Collects runs of whole records into a pooled buffer until it holds a chunk's worth.</summary>
    private sealed class ChunkBuilder(ChunkedFile file, BlockingCollection<ScannedChunk> queue, int chunkBytes, CancellationToken ct) : IDisposable
    {
        private byte[]? _buffer;
        private long _firstLine;

        public int Length { get; private set; }

        public void Append(ReadOnlySpan<byte> run, long runFirstLine)
        {
            if (Length == 0)
            {
                _firstLine = runFirstLine;
            }

            var needed = Length + run.Length;
            if (_buffer is null || _buffer.Length < needed)
            {
                var bigger = ArrayPool<byte>.Shared.Rent(Math.Max(needed, Math.Min(chunkBytes, 4 << 20)));
                if (_buffer is not null)
                {
                    _buffer.AsSpan(0, Length).CopyTo(bigger);
                    ArrayPool<byte>.Shared.Return(_buffer);
                }

                _buffer = bigger;
            }

            run.CopyTo(_buffer.AsSpan(Length));
            Length = needed;
        }

        public void Flush()
        {
            if (Length == 0 || _buffer is null)
            {
                return;
            }

            queue.Add(new ScannedChunk(file, _buffer, Length, _firstLine), ct);
            _buffer = null;
            Length = 0;
        }

        public void Dispose()
        {
            if (_buffer is not null)
            {
                ArrayPool<byte>.Shared.Return(_buffer);
                _buffer = null;
            }
        }
    }

    /// <summary>A parsing thread's view of the sink, for the file readers' row and problem callbacks.</summary>
    private sealed class ThreadSink(IParallelDumpSink sink, int thread) : IDumpRowSink
    {
        public int FileIndex;

        public void OnFileStart(DumpFileInfo file, ColumnMap map)
        {
        }

        public void OnRow(DumpRow row) => sink.OnRow(thread, row);

        public void OnProblem(RowProblem problem) => sink.OnProblem(FileIndex, problem);
    }
}
