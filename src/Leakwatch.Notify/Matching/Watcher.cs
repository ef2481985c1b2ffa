namespace Leakwatch.Notify.Matching;

/// <summary>One identifier someone waits on: a verified subscription (mail) or a key's monitored identifier
/// (webhooks). <see cref="Since"/> is when it started: breaches published before then are not news to it.</summary>
public readonly record struct Watcher(UInt128 Key, WatcherKind Kind, long TargetId, DateTimeOffset Since, int Slot);
