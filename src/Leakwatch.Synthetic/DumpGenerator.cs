using System.Text;
using Leakwatch.Synthetic.Internal;

namespace Leakwatch.Synthetic;

/// <summary>Writes deterministic synthetic leak dumps shaped like the Facebook scrapes, with known flaws, and returns
/// their <see cref="GeneratorTruth"/>. Same options → byte-identical output (UTF-8 without BOM, '\n' line ends).</summary>
public static class DumpGenerator
{
    /// <summary>Writes the dump to a file; a path ending in .gz is gzip-compressed, one ending in .zst zstd-compressed.</summary>
    public static GeneratorTruth Generate(GeneratorOptions options, string outPath, bool collectIdentifiers = false, IProgress<long>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentException.ThrowIfNullOrEmpty(outPath);
        if (options.RecycleFrom is not null && Path.GetFullPath(options.RecycleFrom) == Path.GetFullPath(outPath))
            throw new ArgumentException("cannot recycle from the file being written", nameof(options));
        var engine = new Engine(options, collectIdentifiers);
        GeneratorTruth truth;
        using var file = new FileStream(outPath, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16);
        using (Stream? compressor = DumpIo.Compressor(outPath, file))
        using (var writer = new StreamWriter(compressor ?? file, new UTF8Encoding(false), 1 << 20, leaveOpen: true))
        {
            truth = engine.Run(writer, progress);
        }
        return truth;
    }

    /// <summary>Writes the dump to a text writer (which should encode UTF-8 without BOM to get the canonical bytes).</summary>
    public static GeneratorTruth Generate(GeneratorOptions options, TextWriter output, bool collectIdentifiers = false, IProgress<long>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(output);
        GeneratorTruth truth = new Engine(options, collectIdentifiers).Run(output, progress);
        output.Flush();
        return truth;
    }

    /// <summary>The lean dump (<c>generate --lean</c>): CSV <c>phone,email,dob,gender</c> only, for streamed benchmarks
    /// where the generator must cost far less than the ingest; see <see cref="LeanEngine"/>. Only
    /// <see cref="GeneratorOptions.Records"/>, <see cref="GeneratorOptions.Seed"/> and the flaw rates apply.</summary>
    public static GeneratorTruth GenerateLean(GeneratorOptions options, Stream output)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(output);
        return new LeanEngine(options).Run(output);
    }
}
