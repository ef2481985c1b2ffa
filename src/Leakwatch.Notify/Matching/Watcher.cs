namespace Leakwatch.Notify.Matching;

/// <summary>One identifier someone waits on: a verified subscription (mail) or a key's monitored identifier
/// (webhooks), with the row it came from.</summary>
public readonly record struct Watcher(UInt128 Key, WatcherKind Kind, long TargetId);
