using Leakwatch.Core.Errors;

namespace Leakwatch.Passwords;

/// <summary>The password store is missing a piece, corrupt, or (as <see cref="PasswordStoreBusyException"/>) locked.</summary>
public class PasswordStoreCorruptException(string message) : LeakwatchException(ErrorKind.DataDir, message);
