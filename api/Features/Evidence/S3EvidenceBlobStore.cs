using Amazon;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;

namespace ZonaIntegritas.Api.Features.Evidence;

/// <summary>
/// Evidence in an S3-compatible bucket (AWS, MinIO, Ceph RGW), shared by every instance. An upload is staged and hashed
/// in a local temporary file like on disk, then stored under <c>evidence/ab/abcdef…</c> (its SHA-256) with one PUT, or
/// as a multipart upload of <see cref="PartSize"/> parts read straight from the file, so memory stays flat whatever the
/// size. The store has acknowledged the object before the row that refers to it commits.
/// </summary>
public sealed class S3EvidenceBlobStore : IEvidenceBlobStore, IDisposable
{
    internal const string Prefix = "evidence/";
    internal const long PartSize = 8 * 1024 * 1024;

    private readonly IAmazonS3 _client;
    private readonly string _bucket;
    private readonly string _endpoint;
    private readonly string _temp;
    private readonly TimeSpan _grace;
    private readonly ILogger<S3EvidenceBlobStore> _logger;
    private readonly SemaphoreSlim[] _turns = Enumerable.Range(0, 64).Select(_ => new SemaphoreSlim(1, 1)).ToArray();

    public S3EvidenceBlobStore(IOptions<EvidenceOptions> options, IHostEnvironment environment, ILogger<S3EvidenceBlobStore> logger)
        : this(options, environment, logger, CreateClient(options.Value.S3))
    {
    }

    internal S3EvidenceBlobStore(IOptions<EvidenceOptions> options, IHostEnvironment environment, ILogger<S3EvidenceBlobStore> logger, IAmazonS3 client)
    {
        var s3 = options.Value.S3;
        _client = client;
        _bucket = s3.Bucket!;
        _endpoint = string.IsNullOrWhiteSpace(s3.ServiceUrl) ? $"AWS {s3.Region}" : s3.ServiceUrl;
        _grace = TimeSpan.FromMinutes(s3.SweepGraceMinutes);
        _logger = logger;
        _temp = Path.Combine(DiskEvidenceBlobStore.RootOf(options.Value, environment), "tmp");
        Directory.CreateDirectory(_temp);
    }

    private static AmazonS3Client CreateClient(S3EvidenceOptions s3)
    {
        var config = new AmazonS3Config
        {
            ForcePathStyle = s3.ForcePathStyle,
            // S3-compatible servers reject or mangle the SDK's default trailing checksums; send them only where required.
            RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED,
            ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED,
        };
        if (string.IsNullOrWhiteSpace(s3.ServiceUrl))
        {
            config.RegionEndpoint = RegionEndpoint.GetBySystemName(s3.Region);
        }
        else
        {
            config.ServiceURL = s3.ServiceUrl;
            config.AuthenticationRegion = string.IsNullOrWhiteSpace(s3.Region) ? "us-east-1" : s3.Region;
        }
        return string.IsNullOrWhiteSpace(s3.AccessKey)
            ? new AmazonS3Client(config)
            : new AmazonS3Client(new BasicAWSCredentials(s3.AccessKey, s3.SecretKey), config);
    }

    internal static string KeyOf(string sha256) => $"{Prefix}{sha256[..2]}/{sha256}";

    public Task<StagedBlob> StageAsync(Stream content, long maxBytes, CancellationToken cancellationToken) =>
        BlobStaging.StageAsync(_temp, content, maxBytes, cancellationToken);

    /// <summary>
    /// Stores the bytes unless the same bytes (same key, same size) were stored recently. An older copy is uploaded
    /// again: the bytes are the same, and the fresh modification time keeps a sweep starting on another instance,
    /// which spares young objects, from removing it before the row that refers to it commits. Commits of the same
    /// bytes on this instance take turns, so one object is never written twice at once.
    /// </summary>
    public async Task CommitAsync(StagedBlob blob, CancellationToken cancellationToken)
    {
        var key = KeyOf(blob.Sha256);
        var turn = _turns[Convert.ToByte(blob.Sha256[..2], 16) % _turns.Length];
        await turn.WaitAsync(cancellationToken);
        try
        {
            if (await StoredAtAsync(key, blob.Size, cancellationToken) is { } stored && DateTime.UtcNow - stored < _grace / 2)
            {
                File.Delete(blob.TempPath);
                return;
            }
            if (blob.Size <= PartSize)
            {
                // No aws-chunked encoding: several S3-compatible servers store its framing as part of the object.
                await _client.PutObjectAsync(new PutObjectRequest
                {
                    BucketName = _bucket, Key = key, FilePath = blob.TempPath, ContentType = "application/octet-stream", UseChunkEncoding = false,
                }, cancellationToken);
            }
            else
            {
                await UploadInPartsAsync(blob, key, cancellationToken);
            }
            // The store's 200 to the PUT (or to completing the multipart upload) is its promise that the object is durable.
            File.Delete(blob.TempPath);
        }
        finally
        {
            turn.Release();
        }
    }

    /// <summary>When the object was last written, if it exists with the expected size.</summary>
    private async Task<DateTime?> StoredAtAsync(string key, long size, CancellationToken cancellationToken)
    {
        try
        {
            var head = await _client.GetObjectMetadataAsync(new GetObjectMetadataRequest { BucketName = _bucket, Key = key }, cancellationToken);
            return head.ContentLength == size ? (head.LastModified ?? DateTime.MinValue).ToUniversalTime() : null;
        }
        catch (AmazonS3Exception e) when (e.StatusCode == System.Net.HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    private async Task UploadInPartsAsync(StagedBlob blob, string key, CancellationToken cancellationToken)
    {
        var upload = await _client.InitiateMultipartUploadAsync(new InitiateMultipartUploadRequest
        {
            BucketName = _bucket, Key = key, ContentType = "application/octet-stream",
        }, cancellationToken);
        try
        {
            var parts = new List<PartETag>();
            var number = 1;
            for (long offset = 0; offset < blob.Size; offset += PartSize, number++)
            {
                var part = await _client.UploadPartAsync(new UploadPartRequest
                {
                    BucketName = _bucket, Key = key, UploadId = upload.UploadId, PartNumber = number,
                    FilePath = blob.TempPath, FilePosition = offset, PartSize = Math.Min(PartSize, blob.Size - offset), UseChunkEncoding = false,
                }, cancellationToken);
                parts.Add(new PartETag(number, part.ETag));
            }
            await _client.CompleteMultipartUploadAsync(new CompleteMultipartUploadRequest
            {
                BucketName = _bucket, Key = key, UploadId = upload.UploadId, PartETags = parts,
            }, cancellationToken);
        }
        catch
        {
            try
            {
                await _client.AbortMultipartUploadAsync(new AbortMultipartUploadRequest { BucketName = _bucket, Key = key, UploadId = upload.UploadId }, CancellationToken.None);
            }
            catch (Exception abort)
            {
                // The sweep aborts it later (or the bucket's lifecycle rule does).
                _logger.LogWarning(abort, "Could not abort the multipart upload {UploadId} of {Key}.", upload.UploadId, key);
            }
            throw;
        }
    }

    public void Discard(StagedBlob blob) => File.Delete(blob.TempPath);

    public Stream OpenRead(string sha256, long size) => new S3ObjectStream(_client, _bucket, KeyOf(sha256), size);

    /// <summary>
    /// Removes local staged files, then objects and multipart uploads older than the grace period that no evidence
    /// version refers to. Younger ones may belong to an upload another instance is committing right now.
    /// </summary>
    public async Task<int> SweepAsync(IReadOnlySet<string> referenced, CancellationToken cancellationToken)
    {
        var removed = BlobStaging.Clear(_temp);
        // The bucket's clock, not the app's: LastModified is set by the store (the app's clock may be a test clock).
        var cutoff = DateTime.UtcNow - _grace;
        var request = new ListObjectsV2Request { BucketName = _bucket, Prefix = Prefix };
        ListObjectsV2Response page;
        do
        {
            page = await _client.ListObjectsV2Async(request, cancellationToken);
            foreach (var item in page.S3Objects ?? [])
            {
                var sha256 = item.Key[(item.Key.LastIndexOf('/') + 1)..];
                if (!referenced.Contains(sha256) && (item.LastModified ?? DateTime.MinValue).ToUniversalTime() <= cutoff)
                {
                    await _client.DeleteObjectAsync(new DeleteObjectRequest { BucketName = _bucket, Key = item.Key }, cancellationToken);
                    removed++;
                }
            }
            request.ContinuationToken = page.NextContinuationToken;
        }
        while (page.IsTruncated == true);
        return removed + await AbortAbandonedUploadsAsync(cutoff, cancellationToken);
    }

    private async Task<int> AbortAbandonedUploadsAsync(DateTime cutoff, CancellationToken cancellationToken)
    {
        var aborted = 0;
        var request = new ListMultipartUploadsRequest { BucketName = _bucket, Prefix = Prefix };
        try
        {
            ListMultipartUploadsResponse page;
            do
            {
                page = await _client.ListMultipartUploadsAsync(request, cancellationToken);
                foreach (var upload in page.MultipartUploads ?? [])
                {
                    if ((upload.Initiated ?? DateTime.MinValue).ToUniversalTime() <= cutoff)
                    {
                        await _client.AbortMultipartUploadAsync(new AbortMultipartUploadRequest { BucketName = _bucket, Key = upload.Key, UploadId = upload.UploadId }, cancellationToken);
                        aborted++;
                    }
                }
                request.KeyMarker = page.NextKeyMarker;
                request.UploadIdMarker = page.NextUploadIdMarker;
            }
            while (page.IsTruncated == true);
        }
        catch (AmazonS3Exception e) when (e.ErrorCode == "NotImplemented")
        {
            _logger.LogInformation("The evidence store cannot list multipart uploads; give bucket {Bucket} a lifecycle rule that aborts incomplete uploads.", _bucket);
        }
        return aborted;
    }

    public async Task<string?> ProblemAsync(CancellationToken cancellationToken)
    {
        // GetBucketLocation rather than a listing: some S3-compatible servers fail truncated listings.
        try
        {
            await _client.GetBucketLocationAsync(new GetBucketLocationRequest { BucketName = _bucket }, cancellationToken);
            return Directory.Exists(_temp) ? null : $"The local staging folder '{_temp}' is missing; check Evidence:StoragePath.";
        }
        catch (AmazonS3Exception e) when (e.ErrorCode == "NoSuchBucket")
        {
            return $"The evidence bucket '{_bucket}' does not exist at {_endpoint}; create it, or set Evidence:S3:Bucket to an existing one.";
        }
        catch (AmazonS3Exception e)
        {
            return $"The evidence bucket '{_bucket}' at {_endpoint} refused access ({e.ErrorCode}, HTTP {(int)e.StatusCode}); check Evidence:S3:AccessKey, Evidence:S3:SecretKey and Evidence:S3:Region.";
        }
        catch (Exception e) when (e is AmazonServiceException or AmazonClientException or HttpRequestException or IOException or TaskCanceledException)
        {
            return $"The evidence store at {_endpoint} cannot be reached ({e.GetType().Name}: {e.Message}); check Evidence:S3:ServiceUrl.";
        }
    }

    public void Dispose() => _client.Dispose();
}
