using System.Buffers.Binary;
using System.Security.Cryptography;
using Leakwatch.Core.Errors;
using Leakwatch.Storage;

namespace Leakwatch.Privacy;

public sealed class SealedFileException(string message) : LeakwatchException(ErrorKind.DataDir, message);
