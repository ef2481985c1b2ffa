using Leakwatch.Core.Errors;

namespace Leakwatch.Storage.Publishing;

/// <summary>What a <see cref="PublishedGenerationHolder{T}"/> needs from one store: how to open the generation its
/// manifest names, and whom to tell about reloads. Called from the watcher's thread, one call at a time.</summary>
public interface IGenerationSource<T>
    where T : PublishedGeneration
{
    /// <summary>Opens the generation the manifest names now; null when nothing is published yet.</summary>
    /// <exception cref="Exception">It cannot be opened (the holder's first open lets it stop the start).</exception>
    T? Open();

    /// <summary>Whether <paramref name="current"/> is still what the manifest names, so a reload keeps it (the
    /// manifest changed in what this store does not serve).</summary>
    bool IsCurrent(T? current);

    /// <summary>Whether a failure of <see cref="Open"/> during a reload is expected (a corrupt or half-published
    /// store, a missing key): it is reported, the old generation stays served, and the next check retries. Every
    /// error Leakwatch explains is a <see cref="LeakwatchException"/>, so that and the file system's own are the rule;
    /// a store whose open can fail in other expected ways (a database) adds those.</summary>
    bool IsReloadFailure(Exception e) => e is LeakwatchException or IOException or UnauthorizedAccessException;

    /// <summary><paramref name="next"/> now serves; <paramref name="old"/> retires after the grace period.</summary>
    void Reloaded(T? old, T? next);

    void ReloadFailed(Exception e);

    /// <summary>The file watcher could not start; the periodic check still runs.</summary>
    void WatcherUnavailable(string message);
}
