namespace Leakwatch.Server.Tests;

/// <summary>Evaluate bodies the fuzzer found to escape as an exception (a 500) instead of a 400 naming the field.</summary>
public class EvaluateBodyRegressionTests
{
    [Fact]
    public void Parse_LoneSurrogateEscapeInBlindedElement_IsABase64Error()
    {
        var body = """{"bucket": 0, "blindedElement": "AAAAAAAAAAAAAAAAAAAA\udedEAAAA"}"""u8;
        var error = PrivateApi.Parse(body, out _, out _, out _);
        Assert.Equal("blindedElement: not valid base64", error);
    }

    [Fact]
    public void Parse_LoneSurrogateEscapeInPropertyName_IsMalformedJson()
    {
        var body = """{"bucket": 0, "blinded\udedElement": "AAAA"}"""u8;
        var error = PrivateApi.Parse(body, out _, out _, out _);
        Assert.Equal("body: malformed JSON", error);
    }
}
