using System.Text.Json.Serialization;

namespace ZonaIntegritas.Api.Features.PortalRb;

// The contract's field names (snake_case, Indonesian) are spelled out, so that no serializer setting can change them.

/// <summary>GET {base}/pengusulan/unit-wbk and unit-wbbm.</summary>
public sealed record ProposedUnits(
    [property: JsonPropertyName("tahun")] int Tahun,
    [property: JsonPropertyName("units")] IReadOnlyList<ProposedUnit> Units);

/// <summary><c>id</c> is the unit's GUID (lower case, with hyphens), accepted back by jawaban-unit.</summary>
public sealed record ProposedUnit(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("nama")] string Nama,
    [property: JsonPropertyName("kategori")] string Kategori,
    [property: JsonPropertyName("afirmasi")] bool Afirmasi);

/// <summary>
/// GET {base}/lke/jawaban-unit/{unit_id}: one answer per soal of the year's PortalRB list, in soal order. The endpoint writes
/// these bytes itself (UnitAnswersJson); the records are the schema it documents and the reference its test compares with.
/// </summary>
public sealed record UnitAnswers(
    [property: JsonPropertyName("unit_id")] string UnitId,
    [property: JsonPropertyName("nama_unit")] string NamaUnit,
    [property: JsonPropertyName("tahun")] int Tahun,
    [property: JsonPropertyName("answers")] IReadOnlyList<SoalAnswer> Answers);

public sealed record SoalAnswer(
    [property: JsonPropertyName("soal_id")] int SoalId,
    [property: JsonPropertyName("jawaban_unit"), JsonIgnore(Condition = JsonIgnoreCondition.Never)] string? JawabanUnit,
    [property: JsonPropertyName("jawaban_tpi"), JsonIgnore(Condition = JsonIgnoreCondition.Never)] string? JawabanTpi,
    [property: JsonPropertyName("catatan_unit"), JsonIgnore(Condition = JsonIgnoreCondition.Never)] string? CatatanUnit,
    [property: JsonPropertyName("bukti_dukung_unit"), JsonIgnore(Condition = JsonIgnoreCondition.Never)] string? BuktiDukungUnit,
    [property: JsonPropertyName("catatan_tpi"), JsonIgnore(Condition = JsonIgnoreCondition.Never)] string? CatatanTpi);

/// <summary>
/// Query string of the pull endpoints. <c>tahun</c> overrides the evaluation year; <c>agencyId</c> is for admin keys
/// only (a portalrb key is its agency).
/// </summary>
public sealed record PullQuery(int? Tahun, Guid? AgencyId);
