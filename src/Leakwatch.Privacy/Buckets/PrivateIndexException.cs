using System.Buffers.Binary;
using System.IO.Hashing;
using Leakwatch.Core.Errors;
using Leakwatch.Index;
using Leakwatch.Storage;

namespace Leakwatch.Privacy.Buckets;

public sealed class PrivateIndexException(string message) : LeakwatchException(ErrorKind.DataDir, message);
