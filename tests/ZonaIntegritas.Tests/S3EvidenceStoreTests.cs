using System.Net;
using Amazon.S3;
using Amazon.S3.Model;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using ZonaIntegritas.Api.Features.Evidence;
using ZonaIntegritas.Tests.Infrastructure;

namespace ZonaIntegritas.Tests;

/// <summary>What is particular to the S3 store: its settings, the bucket check, and the sweep's grace period.</summary>
public sealed class S3EvidenceStoreTests
{
    [Fact]
    public async Task StartingWithStoreS3AndNoBucketOrEndpointNamesEachMissingSetting()
    {
        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => TestApp.StartAsync(settings: new()
        {
            ["Evidence:Store"] = "S3",
            ["Evidence:S3:AccessKey"] = "only-the-access-key",
        }));

        Assert.Contains(error.Failures, f => f.Contains("Evidence:S3:Bucket"));
        Assert.Contains(error.Failures, f => f.Contains("Evidence:S3:ServiceUrl") && f.Contains("Evidence:S3:Region"));
        Assert.Contains(error.Failures, f => f.Contains("Evidence:S3:SecretKey"));
    }

    [Fact]
    public async Task AnUnknownStoreOrAnEndpointThatIsNotAUrlIsRefusedAtStart()
    {
        var unknown = await Assert.ThrowsAsync<OptionsValidationException>(() => TestApp.StartAsync(settings: new() { ["Evidence:Store"] = "Ftp" }));
        var notUrl = await Assert.ThrowsAsync<OptionsValidationException>(() => TestApp.StartAsync(settings: new()
        {
            ["Evidence:Store"] = "S3", ["Evidence:S3:Bucket"] = "zi", ["Evidence:S3:ServiceUrl"] = "minio:9000",
        }));

        Assert.Contains(unknown.Failures, f => f.Contains("Evidence:Store is 'Ftp'") && f.Contains("Disk") && f.Contains("S3"));
        Assert.Contains(notUrl.Failures, f => f.Contains("'minio:9000'") && f.Contains("http"));
    }

    [Fact]
    public async Task AMissingBucketStopsTheStartWithItsName()
    {
        var settings = await TestS3.NewBucketSettingsAsync();
        settings["Evidence:S3:Bucket"] = "zi-no-such-bucket";

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => TestApp.StartAsync(settings: settings));

        Assert.Contains("'zi-no-such-bucket' does not exist", error.Message);
        Assert.Contains("Evidence:S3:Bucket", error.Message);
    }

    [Fact]
    public async Task ReadinessFailsWhenTheBucketGoesAway()
    {
        var settings = await TestS3.NewBucketSettingsAsync();
        await using var app = await TestApp.StartAsync(settings: settings);
        var client = app.CreateClient();
        var ready = await client.GetAsync("/health/ready");

        using (var s3 = await TestS3.ClientAsync())
        {
            await s3.DeleteBucketAsync(settings["Evidence:S3:Bucket"]);
        }
        var gone = await client.GetAsync("/health/ready");

        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, gone.StatusCode);
    }

    [Fact]
    public async Task TheSweepSparesUnreferencedObjectsYoungerThanTheGracePeriod()
    {
        var settings = await TestS3.NewBucketSettingsAsync();
        var bucket = settings["Evidence:S3:Bucket"]!;
        var orphan = S3EvidenceBlobStore.KeyOf(new string('a', 64));
        using (var s3 = await TestS3.ClientAsync())
        {
            await s3.PutObjectAsync(new PutObjectRequest { BucketName = bucket, Key = orphan, ContentBody = "orphan", UseChunkEncoding = false });
        }

        settings["Evidence:S3:SweepGraceMinutes"] = "60";
        await using (var patient = await TestApp.StartAsync(settings: settings))
        {
            Assert.Equal(0, await patient.Services.GetRequiredService<EvidenceSweeper>().SweepAsync());
            Assert.Contains(orphan, await TestS3.KeysAsync(bucket));
        }
        settings["Evidence:S3:SweepGraceMinutes"] = "0";
        await using var eager = await TestApp.StartAsync(settings: settings); // sweeps at start

        Assert.DoesNotContain(orphan, await TestS3.KeysAsync(bucket));
    }

    [Fact]
    public async Task TheSweepAbortsMultipartUploadsAbandonedLongerThanTheGracePeriod()
    {
        // s3rver can neither list nor abort multipart uploads, so those two calls are answered here; the rest is real.
        var settings = await TestS3.NewBucketSettingsAsync();
        settings["Evidence:S3:SweepGraceMinutes"] = "60";
        using var client = new UploadListingClient(await TestS3.ServiceUrlAsync(),
        [
            new MultipartUpload { Key = S3EvidenceBlobStore.KeyOf(new string('b', 64)), UploadId = "abandoned", Initiated = DateTime.UtcNow.AddHours(-3) },
            new MultipartUpload { Key = S3EvidenceBlobStore.KeyOf(new string('c', 64)), UploadId = "in-progress", Initiated = DateTime.UtcNow.AddMinutes(-1) },
        ]);
        var options = Options.Create(new EvidenceOptions
        {
            Store = EvidenceStores.S3,
            StoragePath = Path.Combine(Path.GetTempPath(), "zi-tests", $"staging-{Guid.NewGuid():N}"),
            S3 = new S3EvidenceOptions { ServiceUrl = await TestS3.ServiceUrlAsync(), Bucket = settings["Evidence:S3:Bucket"], SweepGraceMinutes = 60 },
        });
        using var store = new S3EvidenceBlobStore(options, new Environment(), NullLogger<S3EvidenceBlobStore>.Instance, client);

        var removed = await store.SweepAsync(new HashSet<string>(), CancellationToken.None);

        Assert.Equal(1, removed);
        Assert.Equal(["abandoned"], client.Aborted);
        Directory.Delete(options.Value.StoragePath, recursive: true);
    }

    private sealed class UploadListingClient(string serviceUrl, List<MultipartUpload> uploads)
        : AmazonS3Client(TestS3.AccessKey, TestS3.SecretKey, new AmazonS3Config
        {
            ServiceURL = serviceUrl, ForcePathStyle = true, AuthenticationRegion = "us-east-1",
            RequestChecksumCalculation = Amazon.Runtime.RequestChecksumCalculation.WHEN_REQUIRED,
            ResponseChecksumValidation = Amazon.Runtime.ResponseChecksumValidation.WHEN_REQUIRED,
        })
    {
        public List<string> Aborted { get; } = [];

        public override Task<ListMultipartUploadsResponse> ListMultipartUploadsAsync(ListMultipartUploadsRequest request, CancellationToken cancellationToken = default) =>
            Task.FromResult(new ListMultipartUploadsResponse { MultipartUploads = uploads, IsTruncated = false });

        public override Task<AbortMultipartUploadResponse> AbortMultipartUploadAsync(AbortMultipartUploadRequest request, CancellationToken cancellationToken = default)
        {
            Aborted.Add(request.UploadId);
            return Task.FromResult(new AbortMultipartUploadResponse());
        }
    }

    private sealed class Environment : IHostEnvironment
    {
        public string EnvironmentName { get; set; } = "Testing";
        public string ApplicationName { get; set; } = "ZonaIntegritas.Tests";
        public string ContentRootPath { get; set; } = Path.GetTempPath();
        public Microsoft.Extensions.FileProviders.IFileProvider ContentRootFileProvider { get; set; } = new Microsoft.Extensions.FileProviders.NullFileProvider();
    }
}
