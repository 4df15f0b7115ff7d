using System.Diagnostics;
using System.Text.RegularExpressions;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;

namespace ZonaIntegritas.Tests.Infrastructure;

/// <summary>
/// An S3-compatible store for the tests: the one named by ZI_TEST_S3 (a service URL; .ci/run starts s3rver and sets
/// it), or else an s3rver this test run starts itself on loopback over a fresh folder, from the copy .ci/run installs
/// (.ci/tools/s3rver). Each test gets its own bucket, so one app's start-up sweep never sees another's objects.
/// </summary>
public static partial class TestS3
{
    public const string Variable = "ZI_TEST_S3";
    private const string DefaultKey = "S3RVER";

    private static readonly Lazy<Task<string>> Endpoint = new(StartAsync);
    private static Process? _server;

    public static string AccessKey => Environment.GetEnvironmentVariable("ZI_TEST_S3_ACCESS_KEY") ?? DefaultKey;

    public static string SecretKey => Environment.GetEnvironmentVariable("ZI_TEST_S3_SECRET_KEY") ?? DefaultKey;

    public static async Task<string> ServiceUrlAsync() => await Endpoint.Value;

    public static async Task<AmazonS3Client> ClientAsync() => new(new BasicAWSCredentials(AccessKey, SecretKey), new AmazonS3Config
    {
        ServiceURL = await ServiceUrlAsync(),
        ForcePathStyle = true,
        AuthenticationRegion = "us-east-1",
        RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED,
        ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED,
    });

    /// <summary>A new empty bucket, and the settings that point an app at it (sweeping without a grace period).</summary>
    public static async Task<Dictionary<string, string?>> NewBucketSettingsAsync()
    {
        var bucket = $"zi-test-{Guid.NewGuid():N}";
        using var client = await ClientAsync();
        await client.PutBucketAsync(new PutBucketRequest { BucketName = bucket });
        return new Dictionary<string, string?>
        {
            ["Evidence:Store"] = "S3",
            ["Evidence:S3:ServiceUrl"] = await ServiceUrlAsync(),
            ["Evidence:S3:Bucket"] = bucket,
            ["Evidence:S3:AccessKey"] = AccessKey,
            ["Evidence:S3:SecretKey"] = SecretKey,
            ["Evidence:S3:SweepGraceMinutes"] = "0",
        };
    }

    /// <summary>The keys of every object in the bucket.</summary>
    public static async Task<List<string>> KeysAsync(string bucket)
    {
        using var client = await ClientAsync();
        var response = await client.ListObjectsV2Async(new ListObjectsV2Request { BucketName = bucket });
        return (response.S3Objects ?? []).Select(o => o.Key).ToList();
    }

    private static async Task<string> StartAsync()
    {
        if (Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } configured)
        {
            return configured;
        }
        var script = Path.Combine(FindRoot(), ".ci", "tools", "s3rver", "node_modules", "s3rver", "bin", "s3rver.js");
        if (!File.Exists(script))
        {
            throw new InvalidOperationException(
                $"The S3 evidence tests need an S3-compatible store: set {Variable} to its URL, or install s3rver where the tests look for it " +
                $"(npm install --prefix .ci/tools/s3rver s3rver@3.7.1, as .ci/run does). Not found: {script}");
        }
        var folder = Path.Combine(Path.GetTempPath(), "zi-tests", $"s3rver-{Guid.NewGuid():N}");
        Directory.CreateDirectory(folder);
        // s3rver runs until its standard input closes, which happens however this test process ends (even when killed).
        const string untilStdinCloses = "process.stdin.on('end', () => process.exit(0)); process.stdin.resume(); require(process.argv[1]);";
        var start = new ProcessStartInfo("node", ["-e", untilStdinCloses, "--", script, "-d", folder, "-a", "127.0.0.1", "-p", "0", "--silent", "--no-vhost-buckets"])
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        _server = Process.Start(start) ?? throw new InvalidOperationException("node did not start.");
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (await _server.StandardOutput.ReadLineAsync(timeout.Token) is { } line)
        {
            if (ListeningPattern().Match(line) is { Success: true } match)
            {
                _server.ErrorDataReceived += (_, _) => { };
                _server.BeginErrorReadLine();
                _ = _server.StandardOutput.ReadToEndAsync();
                return $"http://127.0.0.1:{match.Groups[1].Value}";
            }
        }
        throw new InvalidOperationException($"s3rver exited without listening: {await _server.StandardError.ReadToEndAsync()}");
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
        throw new InvalidOperationException("ZonaIntegritas.sln not found above the test output folder.");
    }

    [GeneratedRegex(@"listening on [^:\s]+:(\d+)")]
    private static partial Regex ListeningPattern();
}
