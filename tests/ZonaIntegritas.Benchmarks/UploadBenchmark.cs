using System.Diagnostics;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;

namespace ZonaIntegritas.Benchmarks;

/// <summary>
/// Evidence uploads through HTTP on loopback against the real server process, side by side with a plain program that
/// writes the same bytes to disk with SHA-256 and fsync; then the server's peak memory during a 100 MB upload.
/// Run: dotnet run -c Release --project tests/ZonaIntegritas.Benchmarks -- upload
/// </summary>
public static class UploadBenchmark
{
    private const string Key = "zi_bench_admin_key_0123456789_abcdefghijklmnop";
    private const int Port = 5099;

    public static async Task<int> RunAsync()
    {
        var root = FindRoot();
        var work = Path.Combine(Path.GetTempPath(), $"zi-upload-bench-{Guid.NewGuid():N}");
        Directory.CreateDirectory(work);
        Console.WriteLine("Building the API (Release)…");
        Run("dotnet", $"build \"{Path.Combine(root, "api", "ZonaIntegritas.Api")}\" -c Release -v q --nologo");
        var dll = Path.Combine(root, "api", "ZonaIntegritas.Api", "bin", "Release", "net10.0", "ZonaIntegritas.Api.dll");

        var server = StartServer(dll, work);
        try
        {
            using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{Port}"), Timeout = TimeSpan.FromMinutes(5) };
            client.DefaultRequestHeaders.Add("X-Api-Key", Key);
            await WaitUntilReady(client);
            var assessment = await CreateAssessment(client);

            Console.WriteLine();
            Console.WriteLine("| File size | Uploads | HTTP upload MB/s | Plain write+SHA-256+fsync MB/s | Ratio |");
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
                var plain = Stopwatch.StartNew();
                foreach (var file in files)
                {
                    await PlainWrite(Path.Combine(work, "plain"), file);
                }
                plain.Stop();
                var total = (double)size * count / (1 << 20);
                var httpRate = total / http.Elapsed.TotalSeconds;
                var plainRate = total / plain.Elapsed.TotalSeconds;
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
            return 0;
        }
        finally
        {
            server.Kill(entireProcessTree: true);
            await server.WaitForExitAsync();
            Directory.Delete(work, recursive: true);
        }
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
    private static async Task PlainWrite(string folder, byte[] bytes)
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
        File.Move(temp, Path.Combine(folder, Convert.ToHexStringLower(hash.GetHashAndReset())));
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

    private static Process StartServer(string dll, string work)
    {
        var start = new ProcessStartInfo("dotnet", $"\"{dll}\" --urls http://127.0.0.1:{Port}")
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
