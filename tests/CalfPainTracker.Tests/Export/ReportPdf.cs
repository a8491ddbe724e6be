using System.Diagnostics;
using SkiaSharp;
using UglyToad.PdfPig;

namespace CalfPainTracker.Tests.Export;

/// <summary>A report PDF read back as a person would: its pages, its words, and how its page looks.</summary>
public sealed class ReportPdf
{
    private ReportPdf(int pages, string text)
    {
        Pages = pages;
        Text = text;
    }

    public int Pages { get; }

    /// <summary>The text with every line break and space removed, so wrapped lines still match whole.</summary>
    public string Text { get; }

    public static ReportPdf Read(byte[] pdf)
    {
        using var document = PdfDocument.Open(pdf);
        return new ReportPdf(document.NumberOfPages, Squashed(string.Concat(document.GetPages().Select(p => p.Text))));
    }

    public bool Shows(string text) => Text.Contains(Squashed(text), StringComparison.Ordinal);

    public static string Squashed(string text) => string.Concat(text.Where(c => !char.IsWhiteSpace(c)));

    /// <summary>
    /// Renders page 1 with poppler's pdftoppm (Debian's poppler-utils; scripts/test installs it)
    /// into the test's output folder and returns the PNG's path.
    /// </summary>
    public static async Task<string> RenderFirstPage(byte[] pdf, string name)
    {
        var folder = Path.Combine(AppContext.BaseDirectory, "rendered");
        Directory.CreateDirectory(folder);
        var pdfPath = Path.Combine(folder, name + ".pdf");
        await File.WriteAllBytesAsync(pdfPath, pdf);
        var start = new ProcessStartInfo("pdftoppm", ["-png", "-r", "110", "-singlefile", "-f", "1", pdfPath, Path.Combine(folder, name)])
        {
            RedirectStandardError = true,
        };
        Process process;
        try
        {
            process = Process.Start(start)!;
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException("pdftoppm is missing: install Debian's poppler-utils (scripts/test does).", e);
        }
        using (process)
        {
            var errors = await process.StandardError.ReadToEndAsync();
            await process.WaitForExitAsync();
            Assert.True(process.ExitCode == 0, "pdftoppm failed: " + errors);
        }
        return Path.Combine(folder, name + ".png");
    }

    /// <summary>Share of the page's pixels that are not near-white, and of those that are the chart's blue.</summary>
    public static (double Inked, double ChartBlue) Coverage(string png)
    {
        using var bitmap = SKBitmap.Decode(png);
        Assert.NotNull(bitmap);
        long inked = 0, blue = 0;
        for (var y = 0; y < bitmap.Height; y++)
        {
            for (var x = 0; x < bitmap.Width; x++)
            {
                var pixel = bitmap.GetPixel(x, y);
                if (pixel.Red < 230 || pixel.Green < 230 || pixel.Blue < 230) inked++;
                if (pixel.Blue > 140 && pixel.Red < 80 && pixel.Green < 130) blue++;
            }
        }
        double all = (long)bitmap.Width * bitmap.Height;
        return (inked / all, blue / all);
    }
}
