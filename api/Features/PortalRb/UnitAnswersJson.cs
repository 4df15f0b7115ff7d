using System.Buffers;
using ZonaIntegritas.Api.Features.Frameworks;

namespace ZonaIntegritas.Api.Features.PortalRb;

/// <summary>
/// jawaban-unit's body written straight from the sheet: byte for byte what the serializer gives for
/// <see cref="UnitAnswers"/> (a test compares the two), without building 127 <see cref="SoalAnswer"/> records and the
/// reflection-driven pass over them on every call. PortalRB polls this endpoint more than any other.
/// </summary>
internal static class UnitAnswersJson
{
    /// <summary>The body, in the writer's own buffer: the response sends it from there rather than from a copy.</summary>
    public static ReadOnlyMemory<byte> Write(string unitId, PortalRbSheet sheet, int year, SoalMap map, JsonSerializerOptions json, Func<string, string> link)
    {
        var buffer = new ArrayBufferWriter<byte>(32 * 1024);
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = json.Encoder, Indented = json.WriteIndented, SkipValidation = true }))
        {
            writer.WriteStartObject();
            writer.WriteString(UnitIdName, unitId);
            writer.WriteString(NamaUnitName, sheet.UnitName);
            writer.WriteNumber(TahunName, year);
            writer.WriteStartArray(AnswersName);
            foreach (var soal in map.Soal)
            {
                var self = sheet.Self.GetValueOrDefault(soal.ItemCode);
                var tpi = sheet.Tpi.GetValueOrDefault(soal.ItemCode);
                writer.WriteStartObject();
                writer.WriteNumber(SoalIdName, soal.SoalId);
                WriteStringOrNull(writer, JawabanUnitName, self.Value);
                WriteStringOrNull(writer, JawabanTpiName, tpi.Value);
                WriteStringOrNull(writer, CatatanUnitName, self.Note);
                WriteStringOrNull(writer, BuktiDukungUnitName, sheet.Evidenced.Contains(soal.ItemCode) ? link(soal.ItemCode) : null);
                WriteStringOrNull(writer, CatatanTpiName, tpi.Note);
                writer.WriteEndObject();
            }
            writer.WriteEndArray();
            writer.WriteEndObject();
        }
        return buffer.WrittenMemory;
    }

    private static void WriteStringOrNull(Utf8JsonWriter writer, JsonEncodedText name, string? value)
    {
        if (value is null)
        {
            writer.WriteNull(name);
        }
        else
        {
            writer.WriteString(name, value);
        }
    }

    // The contract's names, as UnitAnswers and SoalAnswer spell them.
    private static readonly JsonEncodedText UnitIdName = JsonEncodedText.Encode("unit_id");
    private static readonly JsonEncodedText NamaUnitName = JsonEncodedText.Encode("nama_unit");
    private static readonly JsonEncodedText TahunName = JsonEncodedText.Encode("tahun");
    private static readonly JsonEncodedText AnswersName = JsonEncodedText.Encode("answers");
    private static readonly JsonEncodedText SoalIdName = JsonEncodedText.Encode("soal_id");
    private static readonly JsonEncodedText JawabanUnitName = JsonEncodedText.Encode("jawaban_unit");
    private static readonly JsonEncodedText JawabanTpiName = JsonEncodedText.Encode("jawaban_tpi");
    private static readonly JsonEncodedText CatatanUnitName = JsonEncodedText.Encode("catatan_unit");
    private static readonly JsonEncodedText BuktiDukungUnitName = JsonEncodedText.Encode("bukti_dukung_unit");
    private static readonly JsonEncodedText CatatanTpiName = JsonEncodedText.Encode("catatan_tpi");
}
