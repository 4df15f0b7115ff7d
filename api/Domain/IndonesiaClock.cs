namespace ZonaIntegritas.Api.Domain;

public static class IndonesiaClock
{
    // Indonesia spans UTC+7 to UTC+9. A date is "not in the future" if it has begun in the easternmost zone (WIT),
    // so a ceremony held this morning in Jayapura is accepted.
    private static readonly TimeSpan EasternmostIndonesianOffset = TimeSpan.FromHours(9);

    /// <summary>The floor of every date of a Zona Integritas event (declarations, decrees, revocations): the programme began in 2010.</summary>
    public static readonly DateOnly EarliestZiEvent = new(2010, 1, 1);

    public static DateOnly Today(TimeProvider time) => DayOf(time.GetUtcNow());

    /// <summary>The Indonesian date (WIT) of an instant, as <see cref="Today"/> judges it.</summary>
    public static DateOnly DayOf(DateTimeOffset at) => DateOnly.FromDateTime(at.ToOffset(EasternmostIndonesianOffset).DateTime);
}
