namespace ZonaIntegritas.Api.Http;

/// <summary>A response body exactly as sent (a page, a CSV export), kept to be sent again.</summary>
public sealed record SentBody(byte[] Body, string ContentType)
{
    public static SentBody Of(FileContentHttpResult result) => new(result.FileContents.ToArray(), result.ContentType);

    public FileContentHttpResult ToResult() => TypedResults.Bytes(Body, ContentType);

    /// <summary>Its cost in a cache: the bytes and the record around them.</summary>
    public long Bytes => Body.Length + 128;
}
