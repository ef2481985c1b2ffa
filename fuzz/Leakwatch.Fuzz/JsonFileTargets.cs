using Leakwatch.Catalog;
using Leakwatch.Core.Errors;
using Leakwatch.Index;
using Leakwatch.Privacy;

namespace Leakwatch.Fuzz;

/// <summary>The hand-written <see cref="System.Text.Json.Utf8JsonReader"/> readers of the data dir's small JSON
/// files, through the calls that read them from disk: a damaged file must end as the caller's one-line
/// <see cref="LeakwatchException"/> (or, for the breach snapshot, a plain "no snapshot").</summary>
internal static class JsonFileTargets
{
    private static readonly Lazy<ExposureIndexStore> Store = new(() => new ExposureIndexStore(ScratchFile.Subdirectory("data")));

    public static bool IsBadInput(Exception e) => e is LeakwatchException;

    /// <summary><see cref="PublishedBreachSnapshot.TryDecode"/> answers false for anything it cannot read: it has
    /// no bad-input exception at all.</summary>
    public static bool NeverThrows(Exception e) => false;

    public static void ReadManifest(ReadOnlySpan<byte> input)
    {
        var store = Store.Value;
        ScratchFile.Write(Path.Combine("data", ExposureIndexStore.ManifestName), input);
        store.ReadManifest();
    }

    public static void LoadKeyFile(ReadOnlySpan<byte> input) => KeyFile.Load(ScratchFile.Write("data.key", input));

    public static void DecodeBreachSnapshot(ReadOnlySpan<byte> input)
    {
        if (PublishedBreachSnapshot.TryDecode(input, out _, out _, out var breaches) && breaches is null)
        {
            throw new OracleException("TryDecode answered true without breaches");
        }
    }
}
