using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace ZonaIntegritas.Tests.Webhooks;

/// <summary>A real HTTP receiver on loopback (Kestrel), recording every request; <see cref="Answer"/> decides the reply.</summary>
public sealed class WebhookReceiver : IAsyncDisposable
{
    public sealed record Received(string Id, string Timestamp, string Signature, string Body, DateTimeOffset At)
    {
        public JsonElement Json => JsonDocument.Parse(Body).RootElement.Clone();
        public string Type => Json.GetProperty("type").GetString()!;
    }

    private readonly WebApplication _app;
    private readonly ConcurrentQueue<Received> _received = new();

    /// <summary>Called per request with its 1-based number and body; returns the status to answer (after any delay it chooses).</summary>
    public Func<int, string, Task<int>> Answer { get; set; } = (_, _) => Task.FromResult(200);

    private int _count;

    private WebhookReceiver(WebApplication app)
    {
        _app = app;
    }

    public string Url => _app.Urls.First() + "/hook";

    public IReadOnlyList<Received> All => [.. _received];

    public IReadOnlyList<Received> OfType(string type) => All.Where(r => r.Type == type).ToList();

    public static async Task<WebhookReceiver> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(k => k.Listen(System.Net.IPAddress.Loopback, 0));
        var app = builder.Build();
        var receiver = new WebhookReceiver(app);
        app.MapPost("/hook", async (HttpContext http) =>
        {
            using var reader = new StreamReader(http.Request.Body, Encoding.UTF8);
            var body = await reader.ReadToEndAsync();
            var number = Interlocked.Increment(ref receiver._count);
            var status = await receiver.Answer(number, body);
            if (status is >= 200 and < 300)
            {
                receiver._received.Enqueue(new Received(http.Request.Headers["Webhook-Id"].ToString(), http.Request.Headers["Webhook-Timestamp"].ToString(),
                    http.Request.Headers["Webhook-Signature"].ToString(), body, DateTimeOffset.UtcNow));
            }
            return Results.StatusCode(status);
        });
        await app.StartAsync();
        return receiver;
    }

    /// <summary>Waits (wall clock) until the predicate holds over what was received; fails with what came when it does not.</summary>
    public async Task<IReadOnlyList<Received>> WaitFor(Func<IReadOnlyList<Received>, bool> done, int seconds = 15)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (DateTime.UtcNow < deadline)
        {
            if (done(All))
            {
                return All;
            }
            await Task.Delay(25);
        }
        Assert.Fail($"The receiver did not get what was expected within {seconds} s; it got: {string.Join(", ", All.Select(r => r.Type))}");
        return All;
    }

    /// <summary>Verifies a request the Standard Webhooks way, as a receiver would.</summary>
    public static bool SignatureVerifies(Received request, string secret)
    {
        var key = Convert.FromBase64String(secret["whsec_".Length..]);
        var expected = Convert.ToBase64String(HMACSHA256.HashData(key, Encoding.UTF8.GetBytes($"{request.Id}.{request.Timestamp}.{request.Body}")));
        return request.Signature.Split(' ').Any(s => s.StartsWith("v1,", StringComparison.Ordinal)
            && CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(s[3..]), Encoding.ASCII.GetBytes(expected)));
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
