using System.Net;
using Leakwatch.Notify.Delivery;

namespace Leakwatch.Notify.Tests.Delivery;

public sealed class WebhookAddressesTests
{
    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("127.255.0.9")]
    [InlineData("10.1.2.3")]
    [InlineData("172.16.0.1")]
    [InlineData("172.31.255.255")]
    [InlineData("192.168.1.1")]
    [InlineData("169.254.169.254")]
    [InlineData("100.64.0.1")]
    [InlineData("0.0.0.0")]
    [InlineData("224.0.0.1")]
    [InlineData("255.255.255.255")]
    [InlineData("::1")]
    [InlineData("::")]
    [InlineData("fe80::1")]
    [InlineData("fd00::1")]
    [InlineData("fc00::1")]
    [InlineData("ff02::1")]
    [InlineData("::ffff:127.0.0.1")]
    [InlineData("::ffff:10.0.0.1")]
    [InlineData("64:ff9b::a00:1")] // NAT64 of 10.0.0.1
    public void IsPublic_ForNonPublicAddresses_IsFalse(string address) => Assert.False(WebhookAddresses.IsPublic(IPAddress.Parse(address)));

    [Theory]
    [InlineData("93.184.215.14")]
    [InlineData("172.32.0.1")]
    [InlineData("100.128.0.1")]
    [InlineData("2606:4700::1111")]
    [InlineData("::ffff:1.1.1.1")]
    public void IsPublic_ForPublicAddresses_IsTrue(string address) => Assert.True(WebhookAddresses.IsPublic(IPAddress.Parse(address)));

    [Theory]
    [InlineData("ftp://hooks.example/x", "url: must be an absolute http or https URL")]
    [InlineData("/relative", "url: must be an absolute http or https URL")]
    [InlineData("https://user:pw@93.184.215.14/", "url: must not carry a user name or password (the secret signs each delivery)")]
    [InlineData("http://127.0.0.1:8080/hook", "url: the host resolves to")]
    [InlineData("http://[::1]/hook", "url: the host resolves to")]
    [InlineData("http://10.0.0.5/hook", "url: the host resolves to")]
    [InlineData("http://169.254.169.254/latest/meta-data", "url: the host resolves to")]
    [InlineData("http://localhost:9000/", "url: the host is local")]
    [InlineData("http://a.b.localhost/", "url: the host is local")]
    [InlineData("http://2130706433/", "url: the host resolves to")] // 127.0.0.1 as one number
    public async Task CheckAsync_RefusesWhatIsNotPublicHttp(string url, string error)
    {
        var message = await WebhookAddresses.CheckAsync(url, allowPrivate: false, CancellationToken.None);
        Assert.NotNull(message);
        Assert.StartsWith(error, message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CheckAsync_WithAllowPrivate_AcceptsLoopback_ButStillOnlyHttp()
    {
        Assert.Null(await WebhookAddresses.CheckAsync("http://127.0.0.1:8080/hook", allowPrivate: true, CancellationToken.None));
        Assert.Null(await WebhookAddresses.CheckAsync("http://localhost/hook", allowPrivate: true, CancellationToken.None));
        Assert.NotNull(await WebhookAddresses.CheckAsync("ftp://127.0.0.1/", allowPrivate: true, CancellationToken.None));
        Assert.Null(await WebhookAddresses.CheckAsync("https://93.184.215.14/hook", allowPrivate: false, CancellationToken.None));
    }
}
