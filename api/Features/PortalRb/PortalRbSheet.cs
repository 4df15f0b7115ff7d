using System.Collections.Concurrent;
using System.Text;

namespace ZonaIntegritas.Api.Features.PortalRb;

/// <summary>
/// What jawaban-unit sends for one unit's proposed assessment of a year, except the signed evidence links (they carry
/// an expiry, so each call signs its own): the self and TPI answers and notes by item code, and the items with evidence.
/// </summary>
public sealed class PortalRbSheet
{
    public required Guid AssessmentId { get; init; }
    public required string FrameworkCode { get; init; }
    public required string UnitName { get; init; }
    public required IReadOnlyDictionary<string, (string? Value, string? Note)> Self { get; init; }
    public required IReadOnlyDictionary<string, (string? Value, string? Note)> Tpi { get; init; }
    public required IReadOnlySet<string> Evidenced { get; init; }
}

/// <summary>
/// A sheet in the <see cref="ViewCache"/>, by agency, unit and year (the proposed assessment is found as part of it, so a
/// status change that proposes or withdraws one is seen too). Its scope is the unit beside fetches: every write to the
/// unit (answers, notes, evidence, status, its name) makes it stale, on other instances through the change feed, but
/// PortalRB's own fetches, which the fetch log records against the unit, do not.
/// </summary>
public sealed record PortalRbSheetKey(Guid AgencyId, Guid UnitId, int Year) : IViewKey<PortalRbSheet>
{
    public ViewScope Scope => ViewScope.OfUnitBesideFetches(AgencyId, UnitId);

    // Per entry: ~40 bytes of dictionary slot and bucket, plus the strings not shared with other sheets (item codes and
    // short values come from one pool; notes and long values are the sheet's own).
    public long SizeOf(PortalRbSheet sheet) => 1024
        + sheet.Self.Concat(sheet.Tpi).Sum(a => 40 + PortalRbSheets.OwnBytes(a.Value.Value) + PortalRbSheets.OwnBytes(a.Value.Note))
        + sheet.Evidenced.Sum(_ => 40);
}

public static class PortalRbSheets
{
    /// <summary>The sheet of the unit's assessment proposed in the year within the agency; null when there is none.</summary>
    public static async Task<PortalRbSheet?> ReadAsync(DbConnectionFactory db, PortalRbSheetKey key, CancellationToken cancellationToken)
    {
        await using var connection = await db.OpenAsync(cancellationToken);
        var row = await connection.QuerySingleOrDefaultAsync<SheetRow>(new CommandDefinition(db.Dialect.PortalRbSheet,
            new { key.UnitId, key.AgencyId, key.Year, Statuses = PortalRbEndpoints.ProposedStatuses }, cancellationToken: cancellationToken));
        if (row is null)
        {
            return null;
        }
        var (self, tpi) = ParseAnswers(row.Answers);
        return new PortalRbSheet
        {
            AssessmentId = row.Id,
            FrameworkCode = row.FrameworkCode,
            UnitName = row.Name,
            Self = self,
            Tpi = tpi,
            Evidenced = ParseEvidenced(row.Evidenced),
        };
    }

    private sealed class SheetRow
    {
        public Guid Id { get; init; }
        public string FrameworkCode { get; init; } = "";
        public string Name { get; init; } = "";
        public string? Answers { get; init; }
        public string? Evidenced { get; init; }
    }

    /// <summary>The answers column (see <see cref="ISqlDialect.PortalRbSheet"/>) as the self and TPI layers by item code.</summary>
    internal static (Dictionary<string, (string? Value, string? Note)> Self, Dictionary<string, (string? Value, string? Note)> Tpi) ParseAnswers(string? json)
    {
        var self = new Dictionary<string, (string?, string?)>(128, StringComparer.Ordinal);
        var tpi = new Dictionary<string, (string?, string?)>(128, StringComparer.Ordinal);
        var reader = new Utf8JsonReader(Encoding.UTF8.GetBytes(json ?? "[]"));
        reader.Read();
        while (reader.Read() && reader.TokenType == JsonTokenType.StartObject)
        {
            var isSelf = false;
            string? code = null, value = null, note = null;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var name = reader.ValueSpan.Length == 1 ? reader.ValueSpan[0] : (byte)0;
                reader.Read();
                switch (name)
                {
                    case (byte)'s':
                        isSelf = reader.GetInt32() == 1;
                        break;
                    case (byte)'i':
                        code = Shared(ref reader);
                        break;
                    case (byte)'v':
                        value = Shared(ref reader);
                        break;
                    case (byte)'n':
                        note = reader.TokenType == JsonTokenType.Null ? null : reader.GetString();
                        break;
                    default:
                        reader.Skip();
                        break;
                }
            }
            (isSelf ? self : tpi)[code!] = (value, note);
        }
        return (self, tpi);
    }

    /// <summary>The evidenced column as a set of item codes.</summary>
    internal static HashSet<string> ParseEvidenced(string? json)
    {
        var codes = new HashSet<string>(StringComparer.Ordinal);
        var reader = new Utf8JsonReader(Encoding.UTF8.GetBytes(json ?? "[]"));
        reader.Read();
        while (reader.Read() && reader.TokenType == JsonTokenType.String)
        {
            codes.Add(Shared(ref reader));
        }
        return codes;
    }

    // Item codes and option values repeat in every sheet: cached sheets share one string each. Bounded in count and length,
    // so free-form counts and survey figures cannot grow it without limit (past the bound each sheet has its own).
    private static readonly ConcurrentDictionary<string, string> Pool = new(StringComparer.Ordinal);
    private static readonly ConcurrentDictionary<string, string>.AlternateLookup<ReadOnlySpan<char>> PoolLookup = Pool.GetAlternateLookup<ReadOnlySpan<char>>();
    private const int PooledLength = 32;
    private const int PoolCapacity = 20_000;
    private static int _pooled;

    private static string Shared(ref Utf8JsonReader reader)
    {
        if (reader.ValueIsEscaped || reader.HasValueSequence || reader.ValueSpan.Length > PooledLength)
        {
            return reader.GetString()!;
        }
        Span<char> chars = stackalloc char[PooledLength];
        var text = chars[..Encoding.UTF8.GetChars(reader.ValueSpan, chars)];
        if (PoolLookup.TryGetValue(text, out var shared))
        {
            return shared;
        }
        var made = new string(text);
        // Counted here rather than with Pool.Count, which takes every lock of the dictionary.
        if (Volatile.Read(ref _pooled) >= PoolCapacity)
        {
            return made;
        }
        if (Pool.TryAdd(made, made))
        {
            Interlocked.Increment(ref _pooled);
            return made;
        }
        return Pool.TryGetValue(made, out var added) ? added : made;
    }

    /// <summary>What a string costs a sheet in memory when it is not one of the pool's.</summary>
    internal static long OwnBytes(string? text) =>
        text is null || (text.Length <= PooledLength && PoolLookup.TryGetValue(text.AsSpan(), out var shared) && ReferenceEquals(shared, text)) ? 0 : 24 + 2L * text.Length;
}
