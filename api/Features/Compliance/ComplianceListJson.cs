using System.Text.Json.Serialization;

namespace ZonaIntegritas.Api.Features.Compliance;

/// <summary>
/// A JSON page of compliance documents written from the documents' bytes as sent (stored or cached), so that a list
/// page costs no serialisation of its documents: the same <see cref="Page{T}"/> shape, items copied verbatim.
/// </summary>
public static class ComplianceListJson
{
    public static byte[] Write(IReadOnlyList<UnitEntry> entries, int page, int pageSize, long total, JsonSerializerOptions json) =>
        JsonSerializer.SerializeToUtf8Bytes(new Page<Verbatim>(entries.Select(e => new Verbatim(e.Body)).ToList(), page, pageSize, total), json);

    [JsonConverter(typeof(VerbatimConverter))]
    public sealed record Verbatim(byte[] Utf8Json);

    private sealed class VerbatimConverter : JsonConverter<Verbatim>
    {
        public override Verbatim Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            throw new NotSupportedException("Verbatim documents are only written.");

        // The bytes are a document this service serialised; validating them again would cost what this saves.
        public override void Write(Utf8JsonWriter writer, Verbatim value, JsonSerializerOptions options) =>
            writer.WriteRawValue(value.Utf8Json, skipInputValidation: true);
    }
}
