using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Options;

namespace ZonaIntegritas.Api.Features.Webhooks;

/// <summary>What one attempt got: the receiver's status code, or why there was none.</summary>
public sealed record SendOutcome(int? StatusCode, string? Error)
{
    public bool Succeeded => StatusCode is >= 200 and < 300;
}

/// <summary>
/// Posts signed events. The connection is opened by <see cref="ConnectAsync"/>: the name is resolved, every address is
/// checked by <see cref="WebhookTargets"/>, and the socket connects to exactly those addresses, so a name that resolves
/// to a public address when checked cannot be made to connect to a private one (DNS rebinding). No proxy, no redirects.
/// </summary>
public sealed class WebhookSender : IDisposable
{
    private readonly HttpClient _client;
    private readonly WebhookTargets _targets;
    private readonly TimeProvider _time;

    public WebhookSender(WebhookTargets targets, IOptions<WebhookOptions> options, TimeProvider time)
    {
        _targets = targets;
        _time = time;
        var handler = new SocketsHttpHandler
        {
            UseProxy = false,
            AllowAutoRedirect = false,
            UseCookies = false,
            ConnectTimeout = TimeSpan.FromSeconds(options.Value.TimeoutSeconds),
            // Pooled connections keep the address checked when they opened; renew them so DNS changes are seen.
            PooledConnectionLifetime = TimeSpan.FromMinutes(2),
            ConnectCallback = ConnectAsync,
        };
        _client = new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(options.Value.TimeoutSeconds) };
        _client.DefaultRequestHeaders.UserAgent.ParseAdd("ZonaIntegritas-Webhooks/1");
    }

    /// <summary>Name resolution; tests replace it to play a name that resolves to an internal address (DNS rebinding).</summary>
    internal Func<string, CancellationToken, Task<IPAddress[]>> Resolve { get; set; } = Dns.GetHostAddressesAsync;

    private async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken cancellationToken)
    {
        var host = context.DnsEndPoint.Host;
        var addresses = IPAddress.TryParse(host, out var literal) ? [literal] : await Resolve(host, cancellationToken);
        if (addresses.Length == 0)
        {
            throw new WebhookTargetRefusedException($"{host} does not resolve.");
        }
        foreach (var address in addresses)
        {
            if (_targets.AddressProblem(address) is { } problem)
            {
                throw new WebhookTargetRefusedException(problem);
            }
        }
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(addresses, context.DnsEndPoint.Port, cancellationToken);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>One attempt: POST the body with the Standard Webhooks headers; never throws for the receiver's faults.</summary>
    public async Task<SendOutcome> SendAsync(string url, string secret, string id, string body, CancellationToken cancellationToken)
    {
        if (_targets.UrlProblem(url) is { } problem)
        {
            return new SendOutcome(null, problem);
        }
        var timestamp = _time.GetUtcNow().ToUnixTimeSeconds();
        using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        request.Headers.Add("Webhook-Id", id);
        request.Headers.Add("Webhook-Timestamp", timestamp.ToString(System.Globalization.CultureInfo.InvariantCulture));
        request.Headers.Add("Webhook-Signature", WebhookSignature.Sign(secret, id, timestamp, body));
        try
        {
            using var response = await _client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
            return new SendOutcome((int)response.StatusCode, response.IsSuccessStatusCode ? null : $"The receiver answered {(int)response.StatusCode}.");
        }
        catch (HttpRequestException e) when (e.InnerException is WebhookTargetRefusedException refused)
        {
            return new SendOutcome(null, refused.Message);
        }
        catch (HttpRequestException e)
        {
            // The outer message is always "An error occurred while sending the request."; the inner one says what happened.
            return new SendOutcome(null, Shorten(e.InnerException is { } inner ? $"{e.Message} {inner.Message}" : e.Message));
        }
        catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return new SendOutcome(null, $"No answer within {_client.Timeout.TotalSeconds:0} s.");
        }
    }

    private static string Shorten(string message) => message.Length <= 300 ? message : message[..300];

    public void Dispose() => _client.Dispose();
}

public sealed class WebhookTargetRefusedException(string message) : Exception(message);
