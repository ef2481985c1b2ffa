using Leakwatch.Storage.Publishing;

namespace Leakwatch.Storage.Tests;

public sealed class PublishedGenerationHolderTests : IDisposable
{
    private static readonly TimeSpan Hour = TimeSpan.FromHours(1);
    private static readonly TimeSpan Grace = TimeSpan.FromMilliseconds(50);

    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private sealed class Generation(string content) : PublishedGeneration
    {
        public string Content { get; } = content;

        public int Frees;

        protected override void Free() => Interlocked.Increment(ref Frees);
    }

    /// <summary>A store whose manifest is a text file holding the generation's name; "bad" cannot be opened.</summary>
    private sealed class Source(string manifest) : IGenerationSource<Generation>
    {
        public List<Generation> Opened { get; } = [];

        public List<Exception> Failures { get; } = [];

        public Generation? Open()
        {
            if (!File.Exists(manifest))
            {
                return null;
            }

            var content = File.ReadAllText(manifest);
            if (content == "bad")
            {
                throw new InvalidDataException("bad generation");
            }

            var g = new Generation(content);
            Opened.Add(g);
            return g;
        }

        public bool IsCurrent(Generation? current) => current is not null && File.ReadAllText(manifest) == current.Content;

        public bool IsReloadFailure(Exception e) => e is InvalidDataException;

        public void Reloaded(Generation? old, Generation? next)
        {
        }

        public void ReloadFailed(Exception e) => Failures.Add(e);

        public void WatcherUnavailable(string message)
        {
        }
    }

    private string Manifest => _dir.File("manifest.json");

    private void Publish(string content)
    {
        File.WriteAllText(Manifest + ".new", content);
        File.Move(Manifest + ".new", Manifest, overwrite: true);
        // The watcher's stamp is (write time, length): move the time on so equal lengths still differ.
        File.SetLastWriteTimeUtc(Manifest, DateTime.UtcNow.AddSeconds(File.Exists(Manifest) ? _stampTick++ : 0));
    }

    private int _stampTick = 1;

    private static async Task<bool> Eventually(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                return false;
            }

            await Task.Delay(10);
        }

        return true;
    }

    private PublishedGenerationHolder<Generation> Holder(Source source) => new(source, Manifest, _dir.Path, Hour, Grace);

    [Fact]
    public async Task SeveralPublishes_EachOldGenerationFreedOnceAfterTheGrace_CurrentKept()
    {
        Publish("gen-1");
        var source = new Source(Manifest);
        using (var holder = Holder(source))
        {
            for (var i = 2; i <= 5; i++)
            {
                Publish($"gen-{i}");
                holder.CheckNow();
                Assert.Equal($"gen-{i}", holder.Current!.Content);
            }

            Assert.Equal(5, source.Opened.Count);
            Assert.True(await Eventually(() => source.Opened.Take(4).All(g => g.IsFreed)));
            Assert.All(source.Opened.Take(4), g => Assert.Equal(1, g.Frees));
            Assert.Equal(0, source.Opened[4].Frees);
        }

        Assert.Equal(1, source.Opened[4].Frees);
    }

    [Fact]
    public async Task BorrowedGeneration_FreedOnlyWhenTheLastBorrowerReleases()
    {
        Publish("gen-1");
        var source = new Source(Manifest);
        using var holder = Holder(source);
        var borrowed = holder.Acquire()!;
        Publish("gen-2");
        holder.CheckNow();
        await Task.Delay(Grace * 4);
        Assert.False(borrowed.IsFreed);
        Assert.Equal("gen-2", holder.Acquire()!.Content);

        borrowed.Release();
        // The holder's own reference goes when the grace timer fires, which a loaded machine may delay.
        Assert.True(await Eventually(() => borrowed.IsFreed));
        Assert.Equal(1, borrowed.Frees);
        Assert.False(borrowed.TryAddRef());
    }

    [Fact]
    public async Task FailedReload_KeepsServingTheOldGeneration_AndRetriesOnTheNextCheck()
    {
        Publish("gen-1");
        var source = new Source(Manifest);
        using var holder = Holder(source);
        Publish("bad");
        Assert.False(holder.CheckNow());
        Assert.Equal("gen-1", holder.Current!.Content);
        Assert.NotEmpty(source.Failures);
        await Task.Delay(Grace * 4);
        Assert.False(source.Opened[0].IsFreed);

        Publish("gen-3");
        holder.CheckNow();
        Assert.Equal("gen-3", holder.Current!.Content);
    }

    [Fact]
    public void UnchangedGeneration_IsKept()
    {
        Publish("gen-1");
        var source = new Source(Manifest);
        using var holder = Holder(source);
        var first = holder.Current;
        Publish("gen-1");
        holder.CheckNow();
        Assert.Same(first, holder.Current);
        Assert.Single(source.Opened);
    }

    [Fact]
    public void NothingPublished_AcquireIsNull_UntilTheFirstPublish()
    {
        var source = new Source(Manifest);
        using var holder = Holder(source);
        Assert.Null(holder.Acquire());
        Publish("gen-1");
        holder.CheckNow();
        var g = holder.Acquire();
        Assert.Equal("gen-1", g!.Content);
        g.Release();
    }

    [Fact]
    public void FirstOpenFailure_Propagates()
    {
        Publish("bad");
        Assert.Throws<InvalidDataException>(() => Holder(new Source(Manifest)));
    }
}
