using System.Net;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Hosting;
using ZonaIntegritas.Api.Features.Webhooks;
using ZonaIntegritas.Tests.Infrastructure;

namespace ZonaIntegritas.Tests.Webhooks;

/// <summary>The SSRF guard: what a webhook may target, per environment, on creation and at send time.</summary>
public sealed class WebhookTargetTests
{
    private sealed class Environment(string name) : IHostEnvironment
    {
        public string EnvironmentName { get; set; } = name;
        public string ApplicationName { get; set; } = "ZonaIntegritas.Api";
        public string ContentRootPath { get; set; } = "/";
        public IFileProvider ContentRootFileProvider { get; set; } = new NullFileProvider();
    }

    [Theory]
    [InlineData("127.0.0.1", "loopback")]
    [InlineData("::1", "loopback")]
    [InlineData("10.1.2.3", "private")]
    [InlineData("172.20.0.1", "private")]
    [InlineData("192.168.1.10", "private")]
    [InlineData("169.254.169.254", "link-local")]
    [InlineData("100.64.0.1", "CGNAT")]
    [InlineData("224.0.0.1", "multicast")]
    [InlineData("0.0.0.0", "reserved")]
    [InlineData("fe80::1", "link-local")]
    [InlineData("fd00:ec2::254", "unique-local")]
    [InlineData("ff02::1", "multicast")]
    [InlineData("::ffff:10.0.0.1", "private")]
    public void InProductionInternalAddressesAreRefused(string address, string kind)
    {
        var targets = new WebhookTargets(new Environment("Production"));
        Assert.Contains(kind, targets.AddressProblem(IPAddress.Parse(address)));
    }

    [Theory]
    [InlineData("203.0.114.10")]
    [InlineData("8.8.8.8")]
    [InlineData("2606:4700:4700::1111")]
    public void InProductionPublicAddressesAreAllowed(string address) =>
        Assert.Null(new WebhookTargets(new Environment("Production")).AddressProblem(IPAddress.Parse(address)));

    [Fact]
    public void OutsideDevelopmentOnlyHttpsIsAcceptedAndLoopbackOnlyInTesting()
    {
        var production = new WebhookTargets(new Environment("Production"));
        Assert.Equal("url must use https.", production.UrlProblem("http://monitoring.example.go.id/hook"));
        Assert.Contains("loopback", production.UrlProblem("https://localhost/hook"));
        Assert.Null(production.UrlProblem("https://monitoring.example.go.id/hook"));
        Assert.Contains("credentials", production.UrlProblem("https://user:pass@monitoring.example.go.id/hook"));
        var testing = new WebhookTargets(new Environment("Testing"));
        Assert.Null(testing.UrlProblem("http://127.0.0.1:9000/hook"));
        Assert.Equal("url must use https.", testing.UrlProblem("http://monitoring.example.go.id/hook"));
        Assert.Contains("private", testing.UrlProblem("https://10.0.0.5/hook"));
        var development = new WebhookTargets(new Environment("Development"));
        Assert.Null(development.UrlProblem("http://192.168.1.10/hook"));
    }

    [Fact]
    public async Task CreatingAWebhookForAnInternalAddressIsRefusedNamingTheUrl()
    {
        await using var app = await TestApp.StartAsync();
        var admin = app.Admin();
        foreach (var url in new[] { "https://169.254.169.254/latest/meta-data", "https://10.0.0.5/hook", "https://[fd00::1]/hook", "http://monitoring.example.go.id/hook", "ftp://x/y" })
        {
            var problem = await (await admin.PostJson("/api/v1/webhooks", new { url, events = new[] { "*" } })).Problem(System.Net.HttpStatusCode.BadRequest);
            Assert.NotEmpty(problem.Errors("url"));
        }
        var unknown = await (await admin.PostJson("/api/v1/webhooks", new { url = "https://127.0.0.1/hook", events = new[] { "designation.granted" } })).Problem(System.Net.HttpStatusCode.BadRequest);
        Assert.NotEmpty(unknown.Errors("events[0]"));
        var secret = await (await admin.PostJson("/api/v1/webhooks", new { url = "https://127.0.0.1/hook", events = new[] { "*" }, secret = "whsec_c2hvcnQ=" })).Problem(System.Net.HttpStatusCode.BadRequest);
        Assert.NotEmpty(secret.Errors("secret"));
        Assert.Empty((await (await admin.GetAsync("/api/v1/webhooks")).Json(System.Net.HttpStatusCode.OK)).GetProperty("items").EnumerateArray());
    }

    [Fact]
    public async Task AtSendTimeAnAddressThatIsRefusedIsNotConnectedTo()
    {
        var targets = new WebhookTargets(new Environment("Production"));
        using var sender = new WebhookSender(targets, Microsoft.Extensions.Options.Options.Create(new WebhookOptions()), TimeProvider.System);
        // A public name that now resolves to the metadata service (DNS rebinding): the URL passes, the connection is refused.
        sender.Resolve = (_, _) => Task.FromResult(new[] { IPAddress.Parse("203.0.114.7"), IPAddress.Parse("169.254.169.254") });
        const string url = "https://hooks.example.go.id/zi";
        Assert.Null(targets.UrlProblem(url));
        var outcome = await sender.SendAsync(url, WebhookSignature.NewSecret(), "evt", "{}", CancellationToken.None);
        Assert.False(outcome.Succeeded);
        Assert.Null(outcome.StatusCode);
        Assert.Contains("link-local address (169.254.169.254)", outcome.Error);
    }
}
