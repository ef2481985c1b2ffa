using Leakwatch.Storage;
using Leakwatch.Core.Errors;
using Leakwatch.Index;
using System.Buffers.Binary;
using System.IO.Hashing;

namespace Leakwatch.Privacy.Buckets;

public sealed class PrivateIndexException(string message) : LeakwatchException(ErrorKind.DataDir, message);
