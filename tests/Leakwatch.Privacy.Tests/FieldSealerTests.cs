using System.Text;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Leakwatch.Core.Errors;

namespace Leakwatch.Privacy.Tests;

public sealed class FieldSealerTests
{
    [Fact]
    public void Seal_ThenOpen_GivesTheValueBack_AndTheSealedBytesHoldNoneOfIt()
    {
        var keys = KeyFile.Ephemeral();
        var sealer = new FieldSealer(keys, "address");
        var plain = Encoding.UTF8.GetBytes("alice.address@example.com");
        var sealedValue = sealer.Seal(plain, "subscriptions"u8);
        Assert.Equal(plain, sealer.Open(sealedValue, "subscription 1", "subscriptions"u8));
        Assert.Equal(-1, sealedValue.AsSpan().IndexOf("alice"u8));
        Assert.NotEqual(sealedValue, sealer.Seal(plain, "subscriptions"u8)); // a fresh nonce each time
    }

    [Fact]
    public void Open_UnderAnotherKeyPurposeOrContext_OrAltered_FailsWithOneLineNamingTheValue()
    {
        var keys = KeyFile.Ephemeral();
        var sealedValue = new FieldSealer(keys, "address").Seal("x@example.com"u8, "subscriptions"u8);
        var cases = new (FieldSealer Sealer, byte[] Value, string Context)[]
        {
            (new FieldSealer(KeyFile.Ephemeral(), "address"), sealedValue, "subscriptions"),
            (new FieldSealer(keys, "webhook-secret"), sealedValue, "subscriptions"),
            (new FieldSealer(keys, "address"), sealedValue, "webhooks"),
            (new FieldSealer(keys, "address"), Flip(sealedValue, 20), "subscriptions"),
            (new FieldSealer(keys, "address"), sealedValue[..10], "subscriptions"),
        };
        foreach (var (sealer, value, context) in cases)
        {
            var e = Assert.Throws<LeakwatchException>(() => sealer.Open(value, "subscription 7", Encoding.UTF8.GetBytes(context)));
            Assert.StartsWith("subscription 7: ", e.Message, StringComparison.Ordinal);
            Assert.DoesNotContain('\n', e.Message);
        }
    }

    [Property(MaxTest = 300)]
    public Property Seal_ThenOpen_RoundTripsAnyValue() =>
        Prop.ForAll(ArbMap.Default.ArbFor<byte[]>(), ArbMap.Default.ArbFor<byte[]>(), (value, context) =>
        {
            value ??= [];
            context ??= [];
            var sealer = new FieldSealer(Keys, "p");
            return sealer.Open(sealer.Seal(value, context), "v", context).AsSpan().SequenceEqual(value);
        });

    private static readonly KeyFile Keys = KeyFile.Ephemeral();

    private static byte[] Flip(byte[] value, int at)
    {
        var copy = (byte[])value.Clone();
        copy[at] ^= 1;
        return copy;
    }
}
