using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;

namespace Leakwatch.Passwords;

/// <summary>One thread's side of a <see cref="PasswordSpill"/>: hashes each password as it comes and hands the
/// hashes over a few thousand at a time, so threads rarely meet on the spill's lock. Not thread-safe.</summary>
public sealed class PasswordHasher
{
    private const int BatchSize = 4096;
    /// <summary>Passwords up to this many UTF-8 bytes (nearly all) are hashed by the managed <see cref="Sha1"/>: for a
    /// block or two it beats a call into OpenSSL; longer ones go to OpenSSL's SHA-NI code.</summary>
    private const int ManagedSha1Bytes = 119;
    private readonly PasswordSpill _spill;
    private readonly HashRecord[] _sha1 = new HashRecord[BatchSize];
    private readonly HashRecord[] _ntlm = new HashRecord[BatchSize];
    private readonly byte[] _utf8 = new byte[16 * 1024];
    private int _count;

    internal PasswordHasher(PasswordSpill spill) => _spill = spill;

    /// <summary>Adds one occurrence of <paramref name="password"/> (SHA-1 over UTF-8, NTLM over UTF-16LE, as
    /// Pwned Passwords hashes them).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Add(ReadOnlySpan<char> password)
    {
        if (password.IsEmpty)
        {
            return;
        }

        Span<byte> hash = stackalloc byte[20];
        var utf8 = _utf8.AsSpan(0, Encoding.UTF8.GetBytes(password[..Math.Min(password.Length, _utf8.Length / 3)], _utf8));
        if (utf8.Length <= ManagedSha1Bytes)
        {
            Sha1.HashData(utf8, hash);
        }
        else
        {
            SHA1.HashData(utf8, hash);
        }

        _sha1[_count] = HashRecord.FromHash(hash, 1);
        Md4.HashData(MemoryMarshal.AsBytes(password), hash[..16]);
        _ntlm[_count] = HashRecord.FromHash(hash[..16], 1);
        if (++_count == BatchSize)
        {
            Flush();
        }
    }

    /// <summary>The ingest expects about <paramref name="passwords"/> passwords in all (see <see cref="PasswordSpill"/>).</summary>
    public void Reserve(long passwords) => _spill.Reserve(passwords);

    public void Flush()
    {
        if (_count > 0)
        {
            _spill.Add(_sha1.AsSpan(0, _count), _ntlm.AsSpan(0, _count));
            _count = 0;
        }
    }
}
