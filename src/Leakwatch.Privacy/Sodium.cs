using System.Runtime.InteropServices;

namespace Leakwatch.Privacy;

/// <summary>P/Invoke into the native libsodium shipped by the <c>libsodium</c> NuGet package.</summary>
internal static unsafe partial class Sodium
{
    private const string Lib = "libsodium";

    static Sodium()
    {
        if (sodium_init() < 0)
        {
            throw new InvalidOperationException("libsodium failed to initialise");
        }
    }

    /// <summary>Forces the static constructor (sodium_init) before first use from any thread.</summary>
    public static void EnsureInitialized() { }

    [LibraryImport(Lib)]
    private static partial int sodium_init();

    /// <summary>SipHash-2-4 with a 128-bit key and 128-bit output: a fast keyed PRF for short inputs.</summary>
    [LibraryImport(Lib)]
    public static partial int crypto_shorthash_siphashx24(byte* output, byte* input, ulong inputLength, byte* key);

    [LibraryImport(Lib)]
    public static partial void randombytes_buf(byte* buffer, nuint size);
}
