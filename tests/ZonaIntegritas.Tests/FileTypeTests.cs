using System.Text;
using ZonaIntegritas.Api.Features.Evidence;

namespace ZonaIntegritas.Tests;

public sealed class FileTypeTests
{
    [Theory]
    [InlineData("%PDF-1.4", "application/pdf", true)]
    [InlineData("\xFF\xD8\xFF\xE0JFIF", "image/jpeg", true)]
    [InlineData("RIFF\x10\x00\x00\x00WEBPVP8 ", "image/webp", true)]
    [InlineData("\x00\x00\x00\x0018ftypheic\x00\x00\x00\x00", "image/heic", true)]
    [InlineData("\x00\x00\x00\x0018ftypmif1\x00\x00\x00\x00", "image/heic", true)]
    [InlineData("\x00\x00\x00\x0020ftypisom\x00\x00\x02\x00", "video/mp4", true)]
    [InlineData("\x00\x00\x00\x0014ftypqt  \x00\x00\x00\x00", "video/quicktime", false)]
    [InlineData("GIF89a", "image/gif", false)]
    [InlineData("MZ\x90\x00", "application/x-msdownload", false)]
    [InlineData("\x7F" + "ELF\x02\x01", "application/x-executable", false)]
    [InlineData("plain text", "application/octet-stream", false)]
    public void TheTypeComesFromTheLeadingBytes(string header, string mediaType, bool allowed)
    {
        var detected = FileTypes.Detect(Encoding.Latin1.GetBytes(header), path: "unused");

        Assert.Equal(mediaType, detected.MediaType);
        Assert.Equal(allowed, detected.Allowed);
    }

    [Theory]
    [InlineData("../../etc/passwd", "passwd")]
    [InlineData("C:\\Users\\budi\\SK Tim.pdf", "SK Tim.pdf")]
    [InlineData("CON.pdf", "_CON.pdf")]
    [InlineData("laporan\u0000\u001f?.pdf", "laporan___.pdf")]
    [InlineData("...", "evidence")]
    [InlineData("", "evidence")]
    public void FileNamesAreSanitized(string given, string expected) => Assert.Equal(expected, FileNames.Sanitize(given));

    [Fact]
    public void LongFileNamesKeepTheirExtension()
    {
        var name = FileNames.Sanitize(new string('a', 300) + ".pdf");

        Assert.Equal(120, name.Length);
        Assert.EndsWith(".pdf", name);
    }
}
