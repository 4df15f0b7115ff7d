namespace ZonaIntegritas.Api.Features.Evidence;

public static class EvidenceStores
{
    public const string Disk = "Disk";
    public const string S3 = "S3";
}

/// <summary>Bound from <c>Evidence:S3</c>; used when <c>Evidence:Store</c> is <c>S3</c>.</summary>
public sealed class S3EvidenceOptions
{
    /// <summary>The endpoint of an S3-compatible service (MinIO, Ceph RGW, …); empty for AWS itself (then Region decides).</summary>
    public string? ServiceUrl { get; set; }

    public string? Bucket { get; set; }

    /// <summary>The signing region; AWS needs the bucket's region, most other services accept us-east-1.</summary>
    public string? Region { get; set; }

    /// <summary>Both or neither; neither uses the SDK's default credentials (environment, instance role).</summary>
    public string? AccessKey { get; set; }

    public string? SecretKey { get; set; }

    /// <summary>Path-style URLs (service/bucket/key), which MinIO, Ceph and most self-hosted stores expect.</summary>
    public bool ForcePathStyle { get; set; } = true;

    /// <summary>
    /// The sweep leaves objects and multipart uploads younger than this alone: another instance may be between storing
    /// bytes and committing the row that refers to them.
    /// </summary>
    public int SweepGraceMinutes { get; set; } = 60;
}

/// <summary>Checks the Evidence section at start and names every setting that is wrong, with what to set.</summary>
public sealed class EvidenceOptionsValidator : IValidateOptions<EvidenceOptions>
{
    public ValidateOptionsResult Validate(string? name, EvidenceOptions options)
    {
        var failures = new List<string>();
        if (options.Store is not (EvidenceStores.Disk or EvidenceStores.S3))
        {
            failures.Add($"Evidence:Store is '{options.Store}'; set it to Disk (files under Evidence:StoragePath) or S3 (a bucket, Evidence:S3:*).");
        }
        if (options.Store == EvidenceStores.S3)
        {
            var s3 = options.S3;
            if (string.IsNullOrWhiteSpace(s3.Bucket))
            {
                failures.Add("Evidence:Store is S3 but Evidence:S3:Bucket is empty; set it to an existing bucket (environment variable Evidence__S3__Bucket).");
            }
            if (string.IsNullOrWhiteSpace(s3.ServiceUrl) && string.IsNullOrWhiteSpace(s3.Region))
            {
                failures.Add("Evidence:Store is S3 but neither Evidence:S3:ServiceUrl nor Evidence:S3:Region is set; set ServiceUrl to the store's endpoint (e.g. https://minio.internal:9000), or Region alone for AWS.");
            }
            if (!string.IsNullOrWhiteSpace(s3.ServiceUrl)
                && (!Uri.TryCreate(s3.ServiceUrl, UriKind.Absolute, out var url) || url.Scheme is not ("http" or "https")))
            {
                failures.Add($"Evidence:S3:ServiceUrl '{s3.ServiceUrl}' is not an absolute http(s) URL; set it like https://minio.internal:9000.");
            }
            if (string.IsNullOrWhiteSpace(s3.AccessKey) != string.IsNullOrWhiteSpace(s3.SecretKey))
            {
                failures.Add("Set both Evidence:S3:AccessKey and Evidence:S3:SecretKey, or neither (then the default AWS credentials of the environment are used).");
            }
            if (s3.SweepGraceMinutes is < 0 or > 7 * 24 * 60)
            {
                failures.Add($"Evidence:S3:SweepGraceMinutes is {s3.SweepGraceMinutes}; set it between 0 and 10080 (longer than the slowest upload takes to commit).");
            }
        }
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}

public static class EvidenceStoreSetup
{
    /// <summary>Binds and validates the Evidence section and registers the store it names.</summary>
    public static IServiceCollection AddEvidenceStore(this IServiceCollection services)
    {
        services.AddOptions<EvidenceOptions>().BindConfiguration(EvidenceOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<IValidateOptions<EvidenceOptions>, EvidenceOptionsValidator>();
        services.AddSingleton<IEvidenceBlobStore>(provider =>
            provider.GetRequiredService<IOptions<EvidenceOptions>>().Value.Store == EvidenceStores.S3
                ? ActivatorUtilities.CreateInstance<S3EvidenceBlobStore>(provider)
                : ActivatorUtilities.CreateInstance<DiskEvidenceBlobStore>(provider));
        services.AddSingleton<EvidenceSweeper>();
        return services;
    }
}
