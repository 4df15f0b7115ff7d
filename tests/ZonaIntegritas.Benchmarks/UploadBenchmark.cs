using System.Diagnostics;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;

namespace ZonaIntegritas.Benchmarks;

/// <summary>
/// Evidence uploads through HTTP on loopback against the real server process, side by side with a plain program that
/// writes the same bytes to disk with SHA-256 and fsync (and, for the S3 store, then PUTs that file with the SDK);
/// then the server's peak memory during a 100 MB upload. Both stores, one after the other; S3 is s3rver on loopback
/// (from .ci/tools, as the tests use it) unless ZI_TEST_S3 names another store.
/// Run: dotnet run -c Release --project tests/ZonaIntegritas.Benchmarks -- upload
/// </summary>
public static class UploadBenchmark
{
    private const string Key = "zi_bench_admin_key_0123456789_abcdefghijklmnop";

    public static async Task<int> RunAsync()
    {
        var root = FindRoot();
        Console.WriteLine("Building the API (Release)…");
        Run("dotnet", $"build \"{Path.Combine(root, "api")}\" -c Release -v q --nologo");
        var dll = Path.Combine(root, "api", "bin", "Release", "net10.0", "ZonaIntegritas.Api.dll");

        await MeasureAsync("Disk", dll, new Dictionary<string, string>(), (folder, bytes) => PlainWrite(folder, bytes));

        using var s3 = await BenchS3.StartAsync(root);
        var bucket = await s3.NewBucketAsync();
        await MeasureAsync("S3 (s3rver on loopback)", dll, s3.Settings(bucket), async (folder, bytes) =>
        {
            var path = await PlainWrite(folder, bytes);
            await s3.PutAsync(bucket, path);
        });
        return 0;
    }

    /// <summary>Upload rates against the plain equivalent for one store, then the server's memory during a 100 MB upload.</summary>
    private static async Task MeasureAsync(string store, string dll, Dictionary<string, string> settings, Func<string, byte[], Task> plain)
    {
        var work = Path.Combine(Path.GetTempPath(), $"zi-upload-bench-{Guid.NewGuid():N}");
        Directory.CreateDirectory(work);
        var port = FreePort();
        var server = StartServer(dll, work, port, settings);
        try
        {
            using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromMinutes(5) };
            client.DefaultRequestHeaders.Add("X-Api-Key", Key);
            await WaitUntilReady(client);
            var assessment = await CreateAssessment(client);

            Console.WriteLine();
            Console.WriteLine($"Store: {store}");
            Console.WriteLine();
            Console.WriteLine("| File size | Uploads | HTTP upload MB/s | Plain equivalent MB/s | Ratio |");
            Console.WriteLine("|---:|---:|---:|---:|---:|");
            foreach (var (size, count) in new[] { (1 << 20, 40), (20 << 20, 6) })
            {
                var files = Enumerable.Range(0, count).Select(_ => Payload(size)).ToList();
                await Upload(client, assessment, Payload(size)); // warm-up
                var http = Stopwatch.StartNew();
                foreach (var file in files)
                {
                    await Upload(client, assessment, file);
                }
                http.Stop();
                var direct = Stopwatch.StartNew();
                foreach (var file in files)
                {
                    await plain(Path.Combine(work, "plain"), file);
                }
                direct.Stop();
                var total = (double)size * count / (1 << 20);
                var httpRate = total / http.Elapsed.TotalSeconds;
                var plainRate = total / direct.Elapsed.TotalSeconds;
                Console.WriteLine($"| {size >> 20} MB | {count} | {httpRate:F0} | {plainRate:F0} | {httpRate / plainRate:F2} |");
            }

            GC.Collect();
            await Task.Delay(1000);
            var idle = ResidentMegabytes(server.Id);
            var peak = idle;
            using var sampling = new CancellationTokenSource();
            var sampler = Task.Run(async () =>
            {
                while (!sampling.IsCancellationRequested)
                {
                    peak = Math.Max(peak, ResidentMegabytes(server.Id));
                    await Task.Delay(10);
                }
            });
            var big = Payload(100 << 20);
            await Upload(client, assessment, big);
            await sampling.CancelAsync();
            await sampler;
            Console.WriteLine();
            Console.WriteLine($"Server resident memory: idle {idle:F1} MB, peak during a 100 MB upload {peak:F1} MB, growth {peak - idle:F1} MB (target ≤ 32 MB).");
        }
        finally
        {
            server.Kill(entireProcessTree: true);
            await server.WaitForExitAsync();
            Directory.Delete(work, recursive: true);
        }
    }

    private static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static byte[] Payload(int size)
    {
        var bytes = RandomNumberGenerator.GetBytes(size);
        "%PDF-1.7\n"u8.CopyTo(bytes);
        return bytes;
    }

    private static async Task Upload(HttpClient client, string assessment, byte[] bytes)
    {
        using var form = new MultipartFormDataContent();
        var file = new ByteArrayContent(bytes);
        file.Headers.ContentType = new MediaTypeHeaderValue("application/pdf");
        form.Add(file, "file", "bench.pdf");
        using var response = await client.PostAsync($"/api/v1/assessments/{assessment}/items/MP.P.1.a/evidence", form);
        if ((int)response.StatusCode != 201)
        {
            throw new InvalidOperationException($"Upload failed: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        }
    }

    /// <summary>What the server does with the bytes, minus HTTP: stream to a file, hash, fsync, rename.</summary>
    private static async Task<string> PlainWrite(string folder, byte[] bytes)
    {
        Directory.CreateDirectory(folder);
        var temp = Path.Combine(folder, $"{Guid.NewGuid():N}.part");
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        await using (var file = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 81920, FileOptions.Asynchronous))
        {
            for (var offset = 0; offset < bytes.Length; offset += 81920)
            {
                var chunk = bytes.AsMemory(offset, Math.Min(81920, bytes.Length - offset));
                hash.AppendData(chunk.Span);
                await file.WriteAsync(chunk);
            }
            await file.FlushAsync();
            file.Flush(flushToDisk: true);
        }
        var target = Path.Combine(folder, Convert.ToHexStringLower(hash.GetHashAndReset()));
        File.Move(temp, target);
        return target;
    }

    private static async Task<string> CreateAssessment(HttpClient client)
    {
        async Task<string> Post(string url, object body)
        {
            using var response = await client.PostAsJsonAsync(url, body);
            response.EnsureSuccessStatusCode();
            return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetString()!;
        }
        var agency = await Post("/api/v1/agencies", new { code = "BENCH", name = "Bench", kind = "other" });
        var unit = await Post("/api/v1/units", new { agencyId = agency, code = "U1", name = "Unit", kind = "biro", providesPublicService = true, employeeCount = 10 });
        return await Post("/api/v1/assessments", new { unitId = unit, year = 2026, target = "WBK" });
    }

    private static Process StartServer(string dll, string work, int port, Dictionary<string, string> settings)
    {
        var start = new ProcessStartInfo("dotnet", $"\"{dll}\" --urls http://127.0.0.1:{port}")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = work,
        };
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        start.Environment["ConnectionStrings__ZonaIntegritas"] = $"Data Source={Path.Combine(work, "bench.db")}";
        start.Environment["Auth__BootstrapAdminKey"] = Key;
        start.Environment["Evidence__StoragePath"] = Path.Combine(work, "evidence");
        start.Environment["PortalRb__LinkSecret"] = "bench_portalrb_link_secret_0123456789_abcdefgh";
        start.Environment["Evidence__MaxBytes"] = (200L << 20).ToString();
        start.Environment["Logging__LogLevel__Default"] = "Warning";
        foreach (var (key, value) in settings)
        {
            start.Environment[key] = value;
        }
        var process = Process.Start(start)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) Console.Error.WriteLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private static async Task WaitUntilReady(HttpClient client)
    {
        for (var attempt = 0; attempt < 100; attempt++)
        {
            try
            {
                if ((await client.GetAsync("/health/ready")).IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
            }
            await Task.Delay(200);
        }
        throw new TimeoutException("The server did not become ready within 20 s.");
    }

    private static double ResidentMegabytes(int pid)
    {
        foreach (var line in File.ReadLines($"/proc/{pid}/status"))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
            {
                return double.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) / 1024;
            }
        }
        return 0;
    }

    private static void Run(string file, string arguments)
    {
        using var process = Process.Start(new ProcessStartInfo(file, arguments))!;
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{file} {arguments} failed with {process.ExitCode}.");
        }
    }

    private static string FindRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "ZonaIntegritas.sln")))
            {
                return directory.FullName;
            }
        }
        throw new InvalidOperationException("ZonaIntegritas.sln not found.");
    }
}
