using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Leakwatch.Privacy.Oprf;

namespace Leakwatch.Privacy.Tests;

/// <summary>RFC 9497 Appendix A.1.1: OPRF(ristretto255, SHA-512), OPRF mode.</summary>
public class OprfSuiteTests
{
    private const string Seed = "a3a3a3a3a3a3a3a3a3a3a3a3a3a3a3a3a3a3a3a3a3a3a3a3a3a3a3a3a3a3a3a3";
    private const string KeyInfo = "74657374206b6579";
    private const string SkSm = "5ebcea5ee37023ccb9fc2d2019f9d7737be85591ae8652ffa9ef0f4d37063b0e";
    private const string Blind = "64d37aed22a27f5191de1c1d69fadb899d8862b58eb4220029e036ec4c1f6706";

    private sealed record Vector(string Input, string BlindedElement, string EvaluationElement, string Output);

    private static readonly Vector[] Vectors =
    [
        // Test Vector 1, Batch Size 1
        new(
            "00",
            "609a0ae68c15a3cf6903766461307e5c8bb2f95e7e6550e1ffa2dc99e412803c",
            "7ec6578ae5120958eb2db1745758ff379e77cb64fe77b0b2d8cc917ea0869c7e",
            "527759c3d9366f277d8c6020418d96bb393ba2afb20ff90df23fb7708264e2f3"
            + "ab9135e3bd69955851de4b1f9fe8a0973396719b7912ba9ee8aa7d0b5e24bcf6"),
        // Test Vector 2, Batch Size 1
        new(
            "5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a",
            "da27ef466870f5f15296299850aa088629945a17d1f5b7f5ff043f76b3c06418",
            "b4cbf5a4f1eeda5a63ce7b77c7d23f461db3fcab0dd28e4e17cecb5c90d02c25",
            "f4a74c9c592497375e796aa837e907b1a045d34306a749db9f34221f7e750cb4"
            + "f2a6413a6bf6fa5e19ba6348eb673934a722a7ede2e7621306d18951e7cf2c73"),
    ];

    public static TheoryData<int> Rfc9497Vectors => new() { 1, 2 };

    /// <summary>Encodings RFC 9496 decoding must refuse, and the identity, which RFC 9497 refuses on top.</summary>
    public static TheoryData<string> InvalidElements => new()
    {
        "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff", // all 0xFF: above p, top bit set
        "edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f", // p itself: a non-canonical field encoding
        "0100000000000000000000000000000000000000000000000000000000000000", // s = 1 is negative: not canonical
        "0000000000000000000000000000000000000000000000000000000000000000", // the identity
    };

    private static byte[] Hex(string hex) => Convert.FromHexString(hex);

    [Fact]
    public void ContextString_Mode0_IsRfcString() =>
        Assert.Equal("OPRFV1-\0-ristretto255-SHA512"u8.ToArray(), OprfSuite.ContextString.ToArray());

    [Fact]
    public void DeriveKeyPair_Rfc9497SeedAndInfo_GivesSkSm()
    {
        var keys = OprfSuite.DeriveKeyPair(Hex(Seed), Hex(KeyInfo));
        Assert.Equal(SkSm, Convert.ToHexStringLower(keys.PrivateKey));
        var pk = new byte[32];
        Assert.True(Ristretto255.TryScalarMultBase(keys.PrivateKey, pk));
        Assert.Equal(pk, keys.PublicKey);
    }

    [Theory]
    [MemberData(nameof(Rfc9497Vectors))]
    public void Blind_Rfc9497VectorWithFixedBlind_GivesBlindedElement(int number)
    {
        var v = Vectors[number - 1];
        var (blind, blinded) = OprfSuite.Blind(Hex(v.Input), Hex(Blind));
        Assert.Equal(Blind, Convert.ToHexStringLower(blind));
        Assert.Equal(v.BlindedElement, Convert.ToHexStringLower(blinded));
    }

    [Theory]
    [MemberData(nameof(Rfc9497Vectors))]
    public void BlindEvaluate_Rfc9497Vector_GivesEvaluationElement(int number)
    {
        var v = Vectors[number - 1];
        var evaluated = OprfSuite.BlindEvaluate(Hex(SkSm), Hex(v.BlindedElement));
        Assert.Equal(v.EvaluationElement, Convert.ToHexStringLower(evaluated));
    }

    [Theory]
    [MemberData(nameof(Rfc9497Vectors))]
    public void Finalize_Rfc9497Vector_GivesOutput(int number)
    {
        var v = Vectors[number - 1];
        var result = OprfSuite.Finalize(Hex(v.Input), Hex(Blind), Hex(v.EvaluationElement));
        Assert.Equal(v.Output, Convert.ToHexStringLower(result));
    }

    [Theory]
    [MemberData(nameof(Rfc9497Vectors))]
    public void Evaluate_Rfc9497Vector_GivesOutput(int number)
    {
        var v = Vectors[number - 1];
        Assert.Equal(v.Output, Convert.ToHexStringLower(OprfSuite.Evaluate(Hex(SkSm), Hex(v.Input))));
    }

    [Theory]
    [MemberData(nameof(Rfc9497Vectors))]
    public void FullProtocol_Rfc9497KeyFromSeed_GivesOutput(int number)
    {
        var v = Vectors[number - 1];
        var keys = OprfSuite.DeriveKeyPair(Hex(Seed), Hex(KeyInfo));
        var (blind, blinded) = OprfSuite.Blind(Hex(v.Input));
        var evaluated = OprfSuite.BlindEvaluate(keys.PrivateKey, blinded);
        Assert.Equal(v.Output, Convert.ToHexStringLower(OprfSuite.Finalize(Hex(v.Input), blind, evaluated)));
    }

    [Property(MaxTest = 200)]
    public Property Evaluate_RandomInputAndKey_EqualsFinalizeOfBlindEvaluate() =>
        Prop.ForAll(ArbMap.Default.ArbFor<byte[]>(), input =>
        {
            input ??= [];
            var keys = OprfSuite.GenerateKeyPair();
            var (blind, blinded) = OprfSuite.Blind(input);
            var evaluated = OprfSuite.BlindEvaluate(keys.PrivateKey, blinded);
            var viaClient = OprfSuite.Finalize(input, blind, evaluated);
            return viaClient.AsSpan().SequenceEqual(OprfSuite.Evaluate(keys.PrivateKey, input));
        });

    [Fact]
    public void Blind_TwoRandomBlinds_DifferButFinalizeAgrees()
    {
        var keys = OprfSuite.GenerateKeyPair();
        var input = "someone@example.com"u8.ToArray();
        var (blind1, blinded1) = OprfSuite.Blind(input);
        var (blind2, blinded2) = OprfSuite.Blind(input);
        Assert.NotEqual(blinded1, blinded2);
        var out1 = OprfSuite.Finalize(input, blind1, OprfSuite.BlindEvaluate(keys.PrivateKey, blinded1));
        var out2 = OprfSuite.Finalize(input, blind2, OprfSuite.BlindEvaluate(keys.PrivateKey, blinded2));
        Assert.Equal(out1, out2);
    }

    [Fact]
    public void Evaluate_DifferentKeys_DifferentOutputs()
    {
        var input = "someone@example.com"u8;
        Assert.NotEqual(
            OprfSuite.Evaluate(OprfSuite.GenerateKeyPair().PrivateKey, input),
            OprfSuite.Evaluate(OprfSuite.GenerateKeyPair().PrivateKey, input));
    }

    [Fact]
    public void Evaluate_InputOverStackLimit_EqualsFinalize()
    {
        var keys = OprfSuite.GenerateKeyPair();
        var input = new byte[3000];
        Random.Shared.NextBytes(input);
        var (blind, blinded) = OprfSuite.Blind(input);
        Assert.Equal(OprfSuite.Evaluate(keys.PrivateKey, input), OprfSuite.Finalize(input, blind, OprfSuite.BlindEvaluate(keys.PrivateKey, blinded)));
    }

    [Theory]
    [MemberData(nameof(InvalidElements))]
    public void BlindEvaluate_InvalidOrIdentityElement_ThrowsInvalidElement(string element) =>
        Assert.Throws<OprfInvalidElementException>(() => OprfSuite.BlindEvaluate(Hex(SkSm), Hex(element)));

    [Theory]
    [InlineData(0)]
    [InlineData(31)]
    [InlineData(33)]
    public void BlindEvaluate_WrongLength_ThrowsInvalidElement(int length) =>
        Assert.Throws<OprfInvalidElementException>(() => OprfSuite.BlindEvaluate(Hex(SkSm), new byte[length]));

    [Theory]
    [MemberData(nameof(InvalidElements))]
    public void Finalize_InvalidOrIdentityElement_ThrowsInvalidElement(string element) =>
        Assert.Throws<OprfInvalidElementException>(() => OprfSuite.Finalize([0], Hex(Blind), Hex(element)));

    [Theory]
    [MemberData(nameof(InvalidElements))]
    public void IsValidPoint_InvalidEncodings_FalseExceptIdentity(string element) =>
        Assert.Equal(Ristretto255.IsIdentity(Hex(element)), Ristretto255.IsValidPoint(Hex(element)));

    [Fact]
    public void BlindWithScalar_NonCanonicalBlind_Throws()
    {
        // L = 2^252 + 27742317777372353535851937790883648493 is not a canonical scalar, nor is 0
        var order = Hex("edd3f55c1a631258d69cf7a2def9de1400000000000000000000000000000010");
        Assert.False(Ristretto255.IsCanonicalScalar(order));
        Assert.Throws<ArgumentException>(() => OprfSuite.Blind([0], order));
        Assert.Throws<ArgumentException>(() => OprfSuite.Blind([0], new byte[32]));
    }

    [Fact]
    public void IsValidPrivateKey_SkSmZeroAndOrder_Classified()
    {
        Assert.True(OprfSuite.IsValidPrivateKey(Hex(SkSm)));
        Assert.False(OprfSuite.IsValidPrivateKey(new byte[32]));
        Assert.False(OprfSuite.IsValidPrivateKey(Hex("edd3f55c1a631258d69cf7a2def9de1400000000000000000000000000000010")));
        Assert.False(OprfSuite.IsValidPrivateKey(new byte[31]));
    }

    [Fact]
    public void DeriveKeyPair_SeedNot32Bytes_Throws() =>
        Assert.Throws<ArgumentException>(() => OprfSuite.DeriveKeyPair(new byte[31], []));

    [Fact]
    public void Ristretto255_ScalarMulByInverse_IsOne()
    {
        var s = new byte[32];
        Ristretto255.ScalarRandom(s);
        var inverse = new byte[32];
        Assert.True(Ristretto255.TryScalarInvert(s, inverse));
        var product = new byte[32];
        Ristretto255.ScalarMul(s, inverse, product);
        var one = new byte[32];
        one[0] = 1;
        Assert.Equal(one, product);
        Assert.False(Ristretto255.TryScalarInvert(new byte[32], inverse));
    }
}
