namespace Leakwatch.Passwords;

/// <summary>Another password ingest holds the lock.</summary>
public sealed class PasswordStoreBusyException(string message) : PasswordStoreCorruptException(message);
