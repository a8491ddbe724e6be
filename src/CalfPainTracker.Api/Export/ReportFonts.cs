using PdfSharp.Fonts;
using SkiaSharp;

namespace CalfPainTracker.Export;

/// <summary>
/// DejaVu Sans (Bitstream Vera licence, Fonts/LICENSE-DejaVu.txt), shipped inside the assembly:
/// neither PDFsharp on Linux nor SkiaSharp without fontconfig finds system fonts, and a report
/// must read the same on every machine.
/// </summary>
public static class ReportFonts
{
    public const string Family = "DejaVu Sans";

    private const string RegularFace = "DejaVuSans";
    private const string BoldFace = "DejaVuSans-Bold";

    private static readonly Lazy<byte[]> Regular = new(() => Face(RegularFace));
    private static readonly Lazy<byte[]> Bold = new(() => Face(BoldFace));
    private static readonly Lazy<bool> Installed = new(Install, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>Both libraries keep their font resolver in a static, so it is set once per process.</summary>
    public static void EnsureInstalled() => _ = Installed.Value;

    private static bool Install()
    {
        GlobalFontSettings.FontResolver ??= new PdfFonts();
        ScottPlot.Fonts.FontResolvers.Add(new ChartFonts());
        return true;
    }

    private static byte[] Face(string name)
    {
        using var stream = typeof(ReportFonts).Assembly.GetManifestResourceStream($"CalfPainTracker.Export.Fonts.{name}.ttf")
            ?? throw new InvalidOperationException($"The font {name}.ttf is not embedded in the assembly.");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }

    /// <summary>Every family asked for is DejaVu Sans; italic is slanted by PDFsharp.</summary>
    private sealed class PdfFonts : IFontResolver
    {
        public FontResolverInfo ResolveTypeface(string familyName, bool bold, bool italic) =>
            new(bold ? BoldFace : RegularFace, mustSimulateBold: false, mustSimulateItalic: italic);

        public byte[] GetFont(string faceName) => faceName == BoldFace ? Bold.Value : Regular.Value;
    }

    private sealed class ChartFonts : ScottPlot.IFontResolver
    {
        private static readonly Lazy<SKTypeface> RegularTypeface = new(() => SKTypeface.FromData(SKData.CreateCopy(Regular.Value)));
        private static readonly Lazy<SKTypeface> BoldTypeface = new(() => SKTypeface.FromData(SKData.CreateCopy(Bold.Value)));

        public SKTypeface? CreateTypeface(string fontName, bool bold, bool italic) =>
            fontName == Family ? (bold ? BoldTypeface.Value : RegularTypeface.Value) : null;

        public SKTypeface? CreateTypeface(string fontName, ScottPlot.FontWeight weight, ScottPlot.FontSlant slant, ScottPlot.FontSpacing spacing) =>
            CreateTypeface(fontName, weight >= ScottPlot.FontWeight.SemiBold, slant != ScottPlot.FontSlant.Upright);
    }
}
