using System.Text;

namespace Leakwatch.Cluster.Tests;

/// <summary>A running cluster with one published breach of known accounts, shared by the tests of a class.</summary>
public sealed class ClusterFixture : IDisposable
{
    public const int Accounts = 300;

    public ClusterFixture()
    {
        Cluster = new Cluster();
        try
        {
            Dumps = Directory.CreateTempSubdirectory("lw-cluster-dumps-").FullName;
            Cluster.CliOk("ingest", WriteDump("base", Accounts), "--breach", "ClusterBase", "--format", "csv");
        }
        catch
        {
            Cluster.Dispose();
            throw;
        }
    }

    internal Cluster Cluster { get; }

    public string Dumps { get; }

    /// <summary>The i-th account of a breach's dump (all of them are in it).</summary>
    public static string Account(string breach, int i) => $"user{i}@{breach}.example.com";

    /// <summary>A CSV of <paramref name="count"/> accounts on the breach's own domain; its path.</summary>
    public string WriteDump(string breach, int count)
    {
        var sb = new StringBuilder("email,name\n");
        for (var i = 0; i < count; i++)
        {
            sb.Append(Account(breach, i)).Append(",Person ").Append(i).Append('\n');
        }

        var path = Path.Combine(Dumps, breach + ".csv");
        File.WriteAllText(path, sb.ToString());
        return path;
    }

    public void Dispose()
    {
        Cluster.Dispose();
        Directory.Delete(Dumps, recursive: true);
    }
}
