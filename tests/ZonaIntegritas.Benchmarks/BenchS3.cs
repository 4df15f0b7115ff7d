using System.Diagnostics;
using System.Text.RegularExpressions;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;

namespace ZonaIntegritas.Benchmarks;

/// <summary>The S3-compatible store the upload benchmark runs against: ZI_TEST_S3, or an s3rver started here.</summary>
public sealed partial class BenchS3 : IDisposable
{
    private readonly Process? _server;
    private readonly string? _folder;
    private readonly AmazonS3Client _client;

    private BenchS3(string serviceUrl, Process? server, string? folder)
    {
        ServiceUrl = serviceUrl;
        _server = server;
        _folder = folder;
        _client = new AmazonS3Client(new BasicAWSCredentials("S3RVER", "S3RVER"), new AmazonS3Config
        {
            ServiceURL = serviceUrl, ForcePathStyle = true, AuthenticationRegion = "us-east-1",
            RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED,
            ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED,
        });
    }

    public string ServiceUrl { get; }

    public static async Task<BenchS3> StartAsync(string root)
    {
        if (Environment.GetEnvironmentVariable("ZI_TEST_S3") is { Length: > 0 } configured)
        {
            return new BenchS3(configured, null, null);
        }
        var script = Path.Combine(root, ".ci", "tools", "s3rver", "node_modules", "s3rver", "bin", "s3rver.js");
        if (!File.Exists(script))
        {
            throw new InvalidOperationException($"s3rver not found at {script}: npm install --prefix .ci/tools/s3rver s3rver@3.7.1 (as .ci/run does), or set ZI_TEST_S3.");
        }
        var folder = Path.Combine(Path.GetTempPath(), $"zi-bench-s3rver-{Guid.NewGuid():N}");
        Directory.CreateDirectory(folder);
        var server = Process.Start(new ProcessStartInfo("node", [script, "-d", folder, "-a", "127.0.0.1", "-p", "0", "--silent", "--no-vhost-buckets"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        while (await server.StandardOutput.ReadLineAsync() is { } line)
        {
            if (ListeningPattern().Match(line) is { Success: true } match)
            {
                _ = server.StandardOutput.ReadToEndAsync();
                _ = server.StandardError.ReadToEndAsync();
                return new BenchS3($"http://127.0.0.1:{match.Groups[1].Value}", server, folder);
            }
        }
        throw new InvalidOperationException($"s3rver did not start: {await server.StandardError.ReadToEndAsync()}");
    }

    public async Task<string> NewBucketAsync()
    {
        var bucket = $"zi-bench-{Guid.NewGuid():N}";
        await _client.PutBucketAsync(new PutBucketRequest { BucketName = bucket });
        return bucket;
    }

    public Dictionary<string, string> Settings(string bucket) => new()
    {
        ["Evidence__Store"] = "S3",
        ["Evidence__S3__ServiceUrl"] = ServiceUrl,
        ["Evidence__S3__Bucket"] = bucket,
        ["Evidence__S3__AccessKey"] = "S3RVER",
        ["Evidence__S3__SecretKey"] = "S3RVER",
    };

    /// <summary>The plain SDK upload of a file, without the service around it.</summary>
    public Task PutAsync(string bucket, string path) =>
        _client.PutObjectAsync(new PutObjectRequest { BucketName = bucket, Key = $"plain/{Path.GetFileName(path)}", FilePath = path, UseChunkEncoding = false });

    public void Dispose()
    {
        _client.Dispose();
        if (_server is { HasExited: false })
        {
            _server.Kill(entireProcessTree: true);
            _server.WaitForExit();
        }
        if (_folder is not null)
        {
            Directory.Delete(_folder, recursive: true);
        }
    }

    [GeneratedRegex(@"listening on [^:\s]+:(\d+)")]
    private static partial Regex ListeningPattern();
}
