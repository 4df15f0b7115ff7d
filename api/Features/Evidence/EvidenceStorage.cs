using System.Buffers;
using System.ComponentModel.DataAnnotations;
using System.Security.Cryptography;
using Microsoft.Extensions.Options;

namespace ZonaIntegritas.Api.Features.Evidence;

/// <summary>Bound from the <c>Evidence</c> section.</summary>
public sealed class EvidenceOptions
{
    public const string Section = "Evidence";

    /// <summary>Where blobs live; relative paths are under the content root.</summary>
    [Required]
    public string StoragePath { get; set; } = "data/evidence";

    /// <summary>The largest file accepted; larger uploads get 413.</summary>
    [Range(1024, 2L * 1024 * 1024 * 1024)]
    public long MaxBytes { get; set; } = 25 * 1024 * 1024;
}

/// <summary>Bytes written to a temporary file, hashed and sniffed, not yet part of the store.</summary>
public sealed record StagedBlob(string TempPath, string Sha256, long Size, byte[] Header);

public sealed class EvidenceTooLargeException(long limit) : Exception($"The file is larger than {limit} bytes.")
{
    public long Limit { get; } = limit;
}

/// <summary>
/// Where evidence bytes are kept, addressed by their SHA-256 (identical bytes are stored once). The disk implementation
/// suits one machine; several machines need a shared implementation (an object store) behind this same interface.
/// </summary>
public interface IEvidenceBlobStore
{
    /// <summary>Streams the content to a temporary file, hashing as it writes, and flushes it to disk.</summary>
    Task<StagedBlob> StageAsync(Stream content, long maxBytes, CancellationToken cancellationToken);

    /// <summary>Moves a staged file to its content address atomically (a no-op when those bytes are already stored).</summary>
    void Commit(StagedBlob blob);

    void Discard(StagedBlob blob);

    Stream OpenRead(string sha256);

    /// <summary>Removes temporary files and blobs no evidence version refers to; returns how many files went.</summary>
    int Sweep(IReadOnlySet<string> referenced);
}

public sealed class DiskEvidenceBlobStore : IEvidenceBlobStore
{
    private const int HeaderLength = 64;
    private readonly string _root;
    private readonly string _temp;

    public DiskEvidenceBlobStore(IOptions<EvidenceOptions> options, IHostEnvironment environment)
    {
        var path = options.Value.StoragePath;
        _root = Path.GetFullPath(Path.IsPathRooted(path) ? path : Path.Combine(environment.ContentRootPath, path));
        _temp = Path.Combine(_root, "tmp");
        Directory.CreateDirectory(_temp);
    }

    public async Task<StagedBlob> StageAsync(Stream content, long maxBytes, CancellationToken cancellationToken)
    {
        var tempPath = Path.Combine(_temp, $"{Guid.NewGuid():N}.part");
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
                // Durable before it becomes visible: the rename and the row come after this.
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

    public void Commit(StagedBlob blob)
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
    }

    public void Discard(StagedBlob blob) => File.Delete(blob.TempPath);

    public Stream OpenRead(string sha256) =>
        new FileStream(PathOf(sha256), FileMode.Open, FileAccess.Read, FileShare.Read, 81920, FileOptions.Asynchronous | FileOptions.SequentialScan);

    public int Sweep(IReadOnlySet<string> referenced)
    {
        var removed = 0;
        foreach (var file in Directory.EnumerateFiles(_temp))
        {
            File.Delete(file);
            removed++;
        }
        foreach (var file in Directory.EnumerateFiles(_root, "*", SearchOption.AllDirectories))
        {
            if (!file.StartsWith(_temp, StringComparison.Ordinal) && !referenced.Contains(Path.GetFileName(file)))
            {
                File.Delete(file);
                removed++;
            }
        }
        return removed;
    }

    internal string PathOf(string sha256) => Path.Combine(_root, sha256[..2], sha256[2..4], sha256);
}
