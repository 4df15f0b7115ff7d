using ZonaIntegritas.Api.Features.PortalRb;

namespace ZonaIntegritas.Api.Features.Compliance;

/// <summary>
/// Settles the PortalRB part of a stored document's bytes: its <c>portalRb</c> value and the refetch flag in
/// <c>flags</c>. Once PortalRB has fetched a unit, every read of its stored row needs this, so it rewrites only those
/// two values in place rather than reading the whole document into objects and writing it out again. The bytes are the
/// ones the serializer gives for the document with that standing (the stored body is compact, written with the same
/// options), so the ETag stays the hash of what a fresh build would send.
/// </summary>
internal sealed class PortalRbPart(JsonSerializerOptions json)
{
    // The two property names as the serializer writes them, encoded once rather than on every read.
    private readonly JsonEncodedText _flagsName = JsonEncodedText.Encode(NameOf(nameof(UnitCompliance.Flags), json));
    private readonly JsonEncodedText _portalRbName = JsonEncodedText.Encode(NameOf(nameof(UnitCompliance.PortalRb), json));

    /// <summary>The body with <paramref name="standing"/> in place, or null when the body lacks either value (the caller then reads it whole).</summary>
    public byte[]? Settle(byte[] body, PortalRbStanding standing)
    {
        (int Start, int End) flagsAt = default, portalRbAt = default;
        List<string>? flags = null;

        var reader = new Utf8JsonReader(body);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            return null;
        }
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var isFlags = reader.ValueTextEquals(_flagsName.EncodedUtf8Bytes);
            var isPortalRb = !isFlags && reader.ValueTextEquals(_portalRbName.EncodedUtf8Bytes);
            reader.Read();
            var start = (int)reader.TokenStartIndex;
            if (isFlags && reader.TokenType == JsonTokenType.StartArray)
            {
                flags = [];
                while (reader.Read() && reader.TokenType == JsonTokenType.String)
                {
                    flags.Add(reader.GetString()!);
                }
                if (reader.TokenType != JsonTokenType.EndArray)
                {
                    return null;
                }
                flagsAt = (start, (int)reader.BytesConsumed);
                continue;
            }
            reader.Skip();
            if (isPortalRb)
            {
                portalRbAt = (start, (int)reader.BytesConsumed);
            }
        }
        if (flags is null || portalRbAt.End == 0)
        {
            return null;
        }

        var newFlags = JsonSerializer.SerializeToUtf8Bytes(ComplianceDocuments.WithRefetchFlag(flags, standing), json);
        var newPortalRb = JsonSerializer.SerializeToUtf8Bytes(standing, json);
        var (first, firstValue, second, secondValue) = flagsAt.Start < portalRbAt.Start
            ? (flagsAt, newFlags, portalRbAt, newPortalRb)
            : (portalRbAt, newPortalRb, flagsAt, newFlags);
        var span = body.AsSpan();
        return [
            .. span[..first.Start], .. firstValue,
            .. span[first.End..second.Start], .. secondValue,
            .. span[second.End..],
        ];
    }

    private static string NameOf(string property, JsonSerializerOptions json) => json.PropertyNamingPolicy?.ConvertName(property) ?? property;
}
