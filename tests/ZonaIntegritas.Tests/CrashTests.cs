using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using ZonaIntegritas.Tests.Infrastructure;
using ZonaIntegritas.Tests.Scoring;

namespace ZonaIntegritas.Tests;

/// <summary>
/// The real server process on loopback, killed with SIGKILL at random points while pacts, answers and uploads stream in,
/// twenty times. Afterwards every write that was acknowledged with 2xx must be there and complete, and nothing partial may
/// be visible: pact batches whole or absent, answers holding a value that was sent, every listed evidence with its bytes.
/// </summary>
public sealed class CrashTests : IAsyncLifetime
{
    private const int Kills = 20;
    private const string Key = "zi_crash_admin_key_0123456789_abcdefghijklmnop";

    private readonly string _folder = Path.Combine(Path.GetTempPath(), "zi-tests", $"crash-{Guid.NewGuid():N}");
    private readonly int _port = RealServer.FreePort();
    private Process? _server;

    public Task InitializeAsync()
    {
        Directory.CreateDirectory(_folder);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        RealServer.Stop(_server);
        await RealServer.RemoveFolderAsync(_folder);
    }

    [Fact]
    public async Task AcknowledgedWritesSurviveTwentySigkillsAndNothingPartialIsVisible()
    {
        var random = new Random(20261125);
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{_port}"), Timeout = TimeSpan.FromSeconds(30) };
        http.DefaultRequestHeaders.Add("X-Api-Key", Key);

        _server = await RealServer.StartAsync(_folder, _port, Settings());
        var agency = await http.CreateAgency();
        var unit = await http.CreateUnit(agency, employeeCount: 100_000);
        var assessment = (await (await http.PostJson("/api/v1/assessments", new { unitId = unit, year = 2026, target = "WBK" })).Json(HttpStatusCode.Created)).Id();
        var items = Worksheets.Scored(Worksheets.Lke).Where(i => i.AnswerType == "YA_TIDAK").Select(i => i.Code).ToArray();

        var pactBatches = new List<string[]>();           // acknowledged batches
        var answers = new Dictionary<string, string>();   // item → last acknowledged value
        var sentSince = new Dictionary<string, HashSet<string>>(); // item → values sent after that acknowledgement
        var uploads = new Dictionary<Guid, string>();     // evidence id → SHA-256 of the acknowledged bytes
        var nextNip = 0;
        var nextFile = 0;

        for (var kill = 0; kill < Kills; kill++)
        {
            using var stop = new CancellationTokenSource();
            var writers = new[]
            {
                Task.Run(async () =>
                {
                    while (!stop.IsCancellationRequested)
                    {
                        var nips = Enumerable.Range(Interlocked.Add(ref nextNip, 20) - 20, 20).Select(n => Fixtures.Nip(n)).ToArray();
                        var body = new { pacts = nips.Select(n => Fixtures.Pact(n)).ToArray() };
                        if (await Acknowledged(() => http.PostAsJsonAsync($"/api/v1/units/{unit}/integrity-pacts", body)))
                        {
                            lock (pactBatches) pactBatches.Add(nips);
                        }
                    }
                }),
                Task.Run(async () =>
                {
                    var local = new Random(kill);
                    while (!stop.IsCancellationRequested)
                    {
                        var item = items[local.Next(items.Length)];
                        var value = local.Next(2) == 0 ? "Ya" : "Tidak";
                        lock (answers) (sentSince.TryGetValue(item, out var set) ? set : sentSince[item] = []).Add(value);
                        if (await Acknowledged(() => http.PutAsJsonAsync($"/api/v1/assessments/{assessment}/answers/self/{item}", new { value })))
                        {
                            lock (answers)
                            {
                                answers[item] = value;
                                sentSince[item] = [];
                            }
                        }
                    }
                }),
                Task.Run(async () =>
                {
                    while (!stop.IsCancellationRequested)
                    {
                        var bytes = Pdf(Interlocked.Increment(ref nextFile), 64 * 1024);
                        var form = new MultipartFormDataContent { { new ByteArrayContent(bytes), "file", "bukti.pdf" } };
                        form.First().Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/pdf");
                        HttpResponseMessage? response = null;
                        if (await Acknowledged(async () => response = await http.PostAsync($"/api/v1/assessments/{assessment}/items/MP.P.1.a/evidence", form)))
                        {
                            var id = (await response!.Json(HttpStatusCode.Created)).Id();
                            lock (uploads) uploads[id] = Convert.ToHexStringLower(SHA256.HashData(bytes));
                        }
                    }
                }),
            };
            await Task.Delay(200 + random.Next(1000));
            _server!.Kill(); // SIGKILL on Linux: no shutdown hooks, no flushing
            await _server.WaitForExitAsync();
            stop.Cancel();
            await Task.WhenAll(writers);
            _server = await RealServer.StartAsync(_folder, _port, Settings());
        }

        Assert.True(pactBatches.Count > Kills && answers.Count > 0 && uploads.Count > Kills,
            $"Too little was written to prove anything: {pactBatches.Count} pact batches, {answers.Count} answers, {uploads.Count} uploads.");

        var pacts = new HashSet<string>();
        for (var page = 1; ; page++)
        {
            var list = await (await http.GetAsync($"/api/v1/units/{unit}/integrity-pacts?pageSize=200&page={page}")).Json(HttpStatusCode.OK);
            var rows = list.GetProperty("items").EnumerateArray().ToList();
            Assert.All(rows, p => Assert.Equal(18, p.GetProperty("nip").GetString()!.Length));
            pacts.UnionWith(rows.Select(p => p.GetProperty("nip").GetString()!));
            if (rows.Count < 200) break;
        }
        foreach (var batch in pactBatches)
        {
            Assert.All(batch, nip => Assert.Contains(nip, pacts));
        }
        // Batches are all-or-nothing: any NIP present means its whole batch is.
        for (var start = 0; start < nextNip; start += 20)
        {
            var present = Enumerable.Range(start, 20).Count(n => pacts.Contains(Fixtures.Nip(n)));
            Assert.True(present is 0 or 20, $"Pact batch starting at {start} is partial: {present} of 20.");
        }

        var sheet = await (await http.GetAsync($"/api/v1/assessments/{assessment}/answers/self")).Json(HttpStatusCode.OK);
        var stored = sheet.GetProperty("answers").EnumerateArray().ToDictionary(a => a.GetProperty("itemCode").GetString()!, a => a.GetProperty("value").GetString()!);
        foreach (var (item, value) in answers)
        {
            Assert.True(stored.TryGetValue(item, out var actual), $"Acknowledged answer {item} is missing.");
            Assert.True(actual == value || sentSince[item].Contains(actual!), $"{item} holds {actual}, which was never sent after the acknowledged {value}.");
        }

        // Paged: with fast writes twenty kills leave several hundred uploads.
        var listed = new List<JsonElement>();
        var total = 0;
        for (var page = 1; ; page++)
        {
            var evidence = await (await http.GetAsync($"/api/v1/assessments/{assessment}/evidence?pageSize=200&page={page}")).Json(HttpStatusCode.OK);
            var rows = evidence.GetProperty("items").EnumerateArray().ToList();
            listed.AddRange(rows);
            total = evidence.GetProperty("total").GetInt32();
            if (rows.Count < 200) break;
        }
        Assert.Equal(listed.Count, total);
        foreach (var id in uploads.Keys)
        {
            Assert.Contains(listed, e => e.Id() == id);
        }
        foreach (var item in listed)
        {
            // No partial record: every listed evidence has exactly the bytes its hash names.
            var content = await (await http.GetAsync($"/api/v1/evidence/{item.Id()}/content")).Content.ReadAsByteArrayAsync();
            Assert.Equal(item.GetProperty("sha256").GetString(), Convert.ToHexStringLower(SHA256.HashData(content)));
            Assert.Equal(item.GetProperty("size").GetInt64(), content.LongLength);
            if (uploads.TryGetValue(item.Id(), out var sha))
            {
                Assert.Equal(sha, item.GetProperty("sha256").GetString());
            }
        }

        RealServer.Stop(_server);
        await using var connection = new SqliteConnection($"Data Source={Path.Combine(_folder, "zi.db")}");
        await connection.OpenAsync();
        await using var check = connection.CreateCommand();
        check.CommandText = "PRAGMA integrity_check";
        Assert.Equal("ok", await check.ExecuteScalarAsync());
    }

    /// <summary>True for a 2xx answer; false when the request failed or the server died under it.</summary>
    private static async Task<bool> Acknowledged(Func<Task<HttpResponseMessage>> send)
    {
        try
        {
            var response = await send();
            return response.IsSuccessStatusCode;
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or IOException)
        {
            await Task.Delay(20);
            return false;
        }
    }

    private Dictionary<string, string?> Settings()
    {
        var settings = RealServer.Settings(_folder, Key);
        settings["RateLimits:RequestsPerKey"] = "1000000";
        settings["RateLimits:UploadsPerKey"] = "1000000";
        return settings;
    }

    private static byte[] Pdf(int n, int size)
    {
        var bytes = new byte[size];
        Encoding.ASCII.GetBytes("%PDF-1.7\n").CopyTo(bytes, 0);
        new Random(n).NextBytes(bytes.AsSpan(16, size - 64));
        Encoding.ASCII.GetBytes($"\n% file {n}\n%%EOF\n").CopyTo(bytes, size - 40);
        return bytes;
    }

}
