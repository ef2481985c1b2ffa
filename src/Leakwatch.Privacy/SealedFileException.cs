using System.Buffers.Binary;
using System.Security.Cryptography;
using Leakwatch.Storage;
using Leakwatch.Core.Errors;

namespace Leakwatch.Privacy;

public sealed class SealedFileException(string message) : LeakwatchException(ErrorKind.DataDir, message);
