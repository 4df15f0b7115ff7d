using System.Buffers;
using System.ComponentModel.DataAnnotations;
using System.Security.Cryptography;

namespace ZonaIntegritas.Api.Features.Evidence;

/// <summary>Bound from the <c>Evidence</c> section.</summary>
public sealed class EvidenceOptions
{
    public const string Section = "Evidence";

    /// <summary><c>Disk</c> (files under <see cref="StoragePath"/>) or <c>S3</c> (an S3-compatible bucket, <see cref="S3"/>).</summary>
    public string Store { get; set; } = EvidenceStores.Disk;

    /// <summary>
    /// Where blobs live with the disk store; relative paths are under the content root. With S3 only uploads being
    /// received are staged here (its tmp folder), on each instance's own disk.
    /// </summary>
    [Required]
    public string StoragePath { get; set; } = "data/evidence";

    /// <summary>The largest file accepted; larger uploads get 413.</summary>
    [Range(1024, 2L * 1024 * 1024 * 1024)]
    public long MaxBytes { get; set; } = 25 * 1024 * 1024;

    public S3EvidenceOptions S3 { get; set; } = new();
}

/// <summary>Bytes written to a temporary file, hashed and sniffed, not yet part of the store.</summary>
public sealed record StagedBlob(string TempPath, string Sha256, long Size, byte[] Header);

public sealed class EvidenceTooLargeException(long limit) : Exception($"The file is larger than {limit} bytes.")
{
    public long Limit { get; } = limit;
}

/// <summary>
/// Where evidence bytes are kept, addressed by their SHA-256 (identical bytes are stored once). Bytes are first staged
/// in a local temporary file (hashed while they arrive, sniffed for their type), then committed to the store before the
/// row that refers to them commits, so no visible evidence lacks its bytes. The disk store suits one machine; the S3
/// store is shared by several.
/// </summary>
public interface IEvidenceBlobStore
{
    /// <summary>Streams the content to a temporary file, hashing as it writes, and flushes it to disk.</summary>
    Task<StagedBlob> StageAsync(Stream content, long maxBytes, CancellationToken cancellationToken);

    /// <summary>Makes a staged file durable at its content address (a no-op when those bytes are already stored).</summary>
    Task CommitAsync(StagedBlob blob, CancellationToken cancellationToken);

    void Discard(StagedBlob blob);

    /// <summary>A seekable stream over stored bytes of the given size (seeking is what Range requests need).</summary>
    Stream OpenRead(string sha256, long size);

    /// <summary>Removes temporary files and blobs no evidence version refers to; returns how many went.</summary>
    Task<int> SweepAsync(IReadOnlySet<string> referenced, CancellationToken cancellationToken);

    /// <summary>Null when the store can be used; otherwise what is wrong and what to set.</summary>
    Task<string?> ProblemAsync(CancellationToken cancellationToken);
}

/// <summary>Receiving an upload into a local temporary file, shared by the stores.</summary>
public static class BlobStaging
{
    private const int HeaderLength = 64;

    public static async Task<StagedBlob> StageAsync(string folder, Stream content, long maxBytes, CancellationToken cancellationToken)
    {
        var tempPath = Path.Combine(folder, $"{Guid.NewGuid():N}.part");
        var buffer = ArrayPool<byte>.Shared.Rent(81920);
        var header = new byte[HeaderLength];
        var headerLength = 0;
        long size = 0;
        try
        {
            using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            await using (var file = new FileStream(tempPath, FileMode.CreateNew, FileAccess.Write, FileShare.None, 81920, FileOptions.Asynchronous))
            {
                int read;
                while ((read = await content.ReadAsync(buffer.AsMemory(0, 81920), cancellationToken)) > 0)
                {
                    size += read;
                    if (size > maxBytes)
                    {
                        throw new EvidenceTooLargeException(maxBytes);
                    }
                    if (headerLength < HeaderLength)
                    {
                        var take = Math.Min(read, HeaderLength - headerLength);
                        Array.Copy(buffer, 0, header, headerLength, take);
                        headerLength += take;
                    }
                    hash.AppendData(buffer, 0, read);
                    await file.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
                }
                await file.FlushAsync(cancellationToken);
                // Durable before it becomes visible: the rename (or upload) and the row come after this.
                file.Flush(flushToDisk: true);
            }
            return new StagedBlob(tempPath, Convert.ToHexStringLower(hash.GetHashAndReset()), size, header[..headerLength]);
        }
        catch
        {
            File.Delete(tempPath);
            throw;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Deletes every staged file in the folder (uploads that never finished); returns how many.</summary>
    public static int Clear(string folder)
    {
        var removed = 0;
        foreach (var file in Directory.EnumerateFiles(folder))
        {
            File.Delete(file);
            removed++;
        }
        return removed;
    }
}

public sealed class DiskEvidenceBlobStore : IEvidenceBlobStore
{
    private readonly string _root;
    private readonly string _temp;

    public DiskEvidenceBlobStore(IOptions<EvidenceOptions> options, IHostEnvironment environment)
    {
        _root = RootOf(options.Value, environment);
        _temp = Path.Combine(_root, "tmp");
        Directory.CreateDirectory(_temp);
    }

    internal static string RootOf(EvidenceOptions options, IHostEnvironment environment)
    {
        var path = options.StoragePath;
        return Path.GetFullPath(Path.IsPathRooted(path) ? path : Path.Combine(environment.ContentRootPath, path));
    }

    public Task<StagedBlob> StageAsync(Stream content, long maxBytes, CancellationToken cancellationToken) =>
        BlobStaging.StageAsync(_temp, content, maxBytes, cancellationToken);

    public Task CommitAsync(StagedBlob blob, CancellationToken cancellationToken)
    {
        var target = PathOf(blob.Sha256);
        Directory.CreateDirectory(Path.GetDirectoryName(target)!);
        try
        {
            File.Move(blob.TempPath, target, overwrite: false);
        }
        catch (IOException) when (File.Exists(target))
        {
            // The same bytes are already stored (perhaps by a concurrent retry): keep that copy.
            File.Delete(blob.TempPath);
        }
        return Task.CompletedTask;
    }

    public void Discard(StagedBlob blob) => File.Delete(blob.TempPath);

    public Stream OpenRead(string sha256, long size) =>
        new FileStream(PathOf(sha256), FileMode.Open, FileAccess.Read, FileShare.Read, 81920, FileOptions.Asynchronous | FileOptions.SequentialScan);

    public Task<int> SweepAsync(IReadOnlySet<string> referenced, CancellationToken cancellationToken)
    {
        var removed = BlobStaging.Clear(_temp);
        foreach (var file in Directory.EnumerateFiles(_root, "*", SearchOption.AllDirectories))
        {
            if (!file.StartsWith(_temp, StringComparison.Ordinal) && !referenced.Contains(Path.GetFileName(file)))
            {
                File.Delete(file);
                removed++;
            }
        }
        return Task.FromResult(removed);
    }

    public Task<string?> ProblemAsync(CancellationToken cancellationToken) =>
        Task.FromResult(Directory.Exists(_temp) ? null : $"The evidence folder '{_root}' is missing; check Evidence:StoragePath and that the volume is mounted.");

    internal string PathOf(string sha256) => Path.Combine(_root, sha256[..2], sha256[2..4], sha256);
}
