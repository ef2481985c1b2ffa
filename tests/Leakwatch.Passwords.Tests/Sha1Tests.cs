using System.Security.Cryptography;
using System.Text;

namespace Leakwatch.Passwords.Tests;

/// <summary>The managed SHA-1 the password hasher uses for short passwords gives OpenSSL's digest.</summary>
public class Sha1Tests
{
    [Theory]
    [InlineData("", "da39a3ee5e6b4b0d3255bfef95601890afd80709")]
    [InlineData("abc", "a9993e364706816aba3e25717850c26c9cd0d89d")]
    [InlineData("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", "84983e441c3bd26ebaae4aa1f95129e5e54670f1")]
    [InlineData("password", "5baa61e4c9b93f3f0682250b6cf8331b7ee68fd8")]
    public void HashData_KnownVector_MatchesDigest(string input, string expected)
    {
        var digest = new byte[Sha1.HashSize];
        Sha1.HashData(Encoding.ASCII.GetBytes(input), digest);
        Assert.Equal(expected, Convert.ToHexStringLower(digest));
    }

    [Fact]
    public void HashData_EveryLengthUpTo300_MatchesOpenSsl()
    {
        var random = new Random(16);
        var digest = new byte[Sha1.HashSize];
        for (var length = 0; length <= 300; length++)
        {
            var data = new byte[length];
            random.NextBytes(data);
            Sha1.HashData(data, digest);
            Assert.Equal(SHA1.HashData(data), digest);
        }
    }
}
