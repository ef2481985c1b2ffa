namespace Leakwatch.Fuzz;

/// <summary>Every target, by the name <c>fuzz/run.sh</c>, the corpus folders and the smoke run use.</summary>
internal static class FuzzTargets
{
    public static readonly IReadOnlyList<FuzzTarget> All =
    [
        new("dump", "DumpReader.Read, format sniffed (Sniffer, SqlSniffer, every reader)", DumpTargets.ReadAuto, DumpTargets.IsBadInput),
        new("delimited", "DumpReader.Read --format delimited (RecordScanner, Sep, delimiter/header sniffing)", DumpTargets.ReadDelimited, DumpTargets.IsBadInput),
        new("json", "DumpReader.Read --format jsonl (JSON Lines and top-level arrays, nested objects flattened)", DumpTargets.ReadJson, DumpTargets.IsBadInput),
        new("sql", "DumpReader.Read --format sql (mysqldump INSERT, pg_dump COPY, CREATE TABLE)", DumpTargets.ReadSql, DumpTargets.IsBadInput),
        new("parallel", "DumpReader.ReadParallel against DumpReader.Read: same rows, problems and errors", DumpTargets.ReadParallel, DumpTargets.IsBadInput),
        new("ulp", "DumpReader.Read and ReadParallel --format ulp (stealer-log lines, UlpLineParser): same rows and problems", DumpTargets.ReadUlp, DumpTargets.IsBadInput),
        new("manifest", "manifest.json through ExposureIndexStore.ReadManifest", JsonFileTargets.ReadManifest, JsonFileTargets.IsBadInput),
        new("keyfile", "the key file through KeyFile.Load", JsonFileTargets.LoadKeyFile, JsonFileTargets.IsBadInput),
        new("breaches", "breaches.json through PublishedBreachSnapshot.TryDecode", JsonFileTargets.DecodeBreachSnapshot, JsonFileTargets.NeverThrows),
        new("email", "EmailNormalizer.TryNormalize (idempotent)", NormalizerTargets.NormalizeEmail, NormalizerTargets.NeverThrows),
        new("phone", "PhoneNormalizer fast path against libphonenumber's reference, 8 default regions", NormalizerTargets.NormalizePhone, NormalizerTargets.NeverThrows),
        new("evaluate", "the POST /api/private/evaluate body (PrivateApi.Parse)", EvaluateTarget.ParseBody, EvaluateTarget.NeverThrows),
    ];

    public static FuzzTarget? Find(string name)
    {
        foreach (var t in All)
        {
            if (string.Equals(t.Name, name, StringComparison.Ordinal))
            {
                return t;
            }
        }

        return null;
    }

    /// <summary>Runs one input: true when it returned or threw the target's documented bad-input error.</summary>
    public static bool Survives(FuzzTarget target, ReadOnlySpan<byte> input, out Exception? crash)
    {
        crash = null;
        try
        {
            target.Run(input);
        }
        catch (Exception e) when (target.IsBadInput(e))
        {
        }
        catch (Exception e)
        {
            crash = e;
        }

        return crash is null;
    }
}
