namespace Leakwatch.Notify.Matching;

public enum WatcherKind
{
    Subscription,
    Monitored,
}
