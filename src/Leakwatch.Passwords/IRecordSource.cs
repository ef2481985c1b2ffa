namespace Leakwatch.Passwords;

/// <summary>A source of records in strictly increasing hash order.</summary>
internal interface IRecordSource : IDisposable
{
    bool MoveNext();

    HashRecord Current { get; }
}
