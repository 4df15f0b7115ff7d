using ZonaIntegritas.Api.Domain;

namespace ZonaIntegritas.Tests;

public sealed class NipTests
{
    private static readonly DateOnly Today = new(2026, 11, 22);

    [Theory]
    [InlineData("198001152005031001")]
    [InlineData("200002292024012999")] // leap-day birth, started at 23
    [InlineData("196601012026111001")] // started at 60 years 10 months, this month
    public void AWellFormedNipHasNoProblems(string nip) => Assert.Empty(Nip.Problems(nip, Today));

    [Theory]
    [InlineData("19800115200503100", "exactly 18 digits")]
    [InlineData("1980011520050310011", "exactly 18 digits")]
    [InlineData("19800115200503100A", "including non-digits")]
    [InlineData("", "required")]
    public void ANipThatIsNotEighteenDigitsSaysSo(string nip, string expected) =>
        Assert.Contains(expected, Assert.Single(Nip.Problems(nip, Today)));

    [Theory]
    [InlineData("198013152005031001")]
    [InlineData("198002302005031001")]
    [InlineData("199902292020031001")]
    public void AnImpossibleBirthDateIsNamed(string nip) =>
        Assert.Contains(Nip.Problems(nip, Today), p => p.StartsWith("nip birth date (digits 1-8)"));

    [Theory]
    [InlineData("198001152005131001", "not a real year and month")]
    [InlineData("198001152005001001", "not a real year and month")]
    [InlineData("198001152026121001", "in the future")]
    public void AnImpossibleStartMonthIsNamed(string nip, string expected) =>
        Assert.Contains(Nip.Problems(nip, Today), p => p.StartsWith("nip civil-service start (digits 9-14)") && p.Contains(expected));

    [Theory]
    [InlineData("199001152007121001", "before the 18th birthday")]
    [InlineData("195001152011021001", "older than 60")]
    public void AStartOutsideTheAgesOf18To60IsNamed(string nip, string expected) =>
        Assert.Contains(Nip.Problems(nip, Today), p => p.Contains(expected));

    [Fact]
    public void AStartInTheMonthOfThe18thBirthdayIsAccepted() => Assert.Empty(Nip.Problems("199001202008011001", Today));

    [Theory]
    [InlineData("198001152005030001")]
    [InlineData("198001152005033001")]
    public void AGenderDigitOtherThanOneOrTwoIsNamed(string nip) =>
        Assert.Contains("gender digit (digit 15)", Assert.Single(Nip.Problems(nip, Today)));

    [Fact]
    public void SequenceZeroIsNamed() =>
        Assert.Contains("sequence number (digits 16-18)", Assert.Single(Nip.Problems("198001152005031000", Today)));

    [Fact]
    public void EveryWrongPartIsReportedAtOnce() =>
        Assert.Equal(4, Nip.Problems("198013322005133000", Today).Count);
}
