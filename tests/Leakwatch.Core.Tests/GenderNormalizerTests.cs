using Leakwatch.Core;

namespace Leakwatch.Core.Tests;

public class GenderNormalizerTests
{
    [Theory]
    [InlineData("m", Gender.Male)]
    [InlineData("M", Gender.Male)]
    [InlineData(" Male ", Gender.Male)]
    [InlineData("man", Gender.Male)]
    [InlineData("homme", Gender.Male)]
    [InlineData("f", Gender.Female)]
    [InlineData("FEMALE", Gender.Female)]
    [InlineData("woman", Gender.Female)]
    [InlineData("Femme", Gender.Female)]
    [InlineData("weiblich", Gender.Female)]
    [InlineData("other", Gender.Other)]
    [InlineData("NonBinary", Gender.Other)]
    [InlineData("non-binary", Gender.Other)]
    [InlineData("", Gender.Unknown)]
    [InlineData("   ", Gender.Unknown)]
    [InlineData("unknown", Gender.Unknown)]
    [InlineData("1", Gender.Unknown)]
    [InlineData("a very long value that is not a gender", Gender.Unknown)]
    public void Parse_KnownSpellings_MapToGender(string input, Gender expected)
    {
        Assert.Equal(expected, GenderNormalizer.Parse(input));
    }
}
