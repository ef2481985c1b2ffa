namespace Leakwatch.Fuzz;

internal static class Corpus
{
    /// <summary>Every file under <paramref name="dir"/> (none if it does not exist), in ordinal path order.</summary>
    public static List<byte[]> Read(string dir)
    {
        var inputs = new List<byte[]>();
        if (!Directory.Exists(dir))
        {
            return inputs;
        }

        var files = Directory.GetFiles(dir, "*", SearchOption.AllDirectories);
        Array.Sort(files, StringComparer.Ordinal);
        foreach (var f in files)
        {
            inputs.Add(File.ReadAllBytes(f));
        }

        return inputs;
    }
}
