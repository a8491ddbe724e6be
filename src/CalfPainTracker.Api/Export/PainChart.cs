using System.Globalization;
using CalfPainTracker.Trends;
using ScottPlot;

namespace CalfPainTracker.Export;

/// <summary>
/// Pain on each logged day with its 7-day rolling mean, for the doctor report. A missed day
/// has no point: the chart shows a gap, never a zero.
/// </summary>
public static class PainChart
{
    private static readonly Color PainColour = Color.FromHex("#1f5fa8");
    private static readonly Color MeanColour = Color.FromHex("#d9480f");

    /// <summary>About 250 dpi on paper, so the chart stays sharp in print.</summary>
    private const double PixelsPerPoint = 3.5;

    /// <summary>The chart is laid out larger than it is placed, so its labels come out near the report's 8.5 pt text.</summary>
    private const double LayoutPerPoint = 1.4;

    /// <param name="width">Width in points as placed on the page.</param>
    /// <param name="height">Height in points as placed on the page.</param>
    public static byte[] Png(IReadOnlyList<TrendDay> days, DateOnly first, DateOnly last, double width, double height)
    {
        ArgumentNullException.ThrowIfNull(days);
        ReportFonts.EnsureInstalled();

        var plot = new Plot { ScaleFactor = (float)(PixelsPerPoint / LayoutPerPoint) };
        plot.Font.Set(ReportFonts.Family);

        var x = days.Select(d => (double)d.Day.DayNumber).ToArray();
        var mean = plot.Add.Scatter(x, days.Select(d => (double)(d.Rolling7 ?? d.PainLevel)).ToArray(), MeanColour);
        mean.LineWidth = 2;
        mean.MarkerSize = 0;
        mean.LegendText = "7-day rolling mean";
        var pain = plot.Add.Markers(x, days.Select(d => (double)d.PainLevel).ToArray(), MarkerShape.FilledCircle, 6, PainColour);
        pain.LegendText = "Pain (0-10), each logged day";

        plot.Axes.SetLimits(first.DayNumber - 0.5, last.DayNumber + 0.5, -0.3, 10.3);
        plot.Axes.Left.TickGenerator = PainTicks();
        plot.Axes.Bottom.TickGenerator = WeekTicks(first, last);
        plot.Axes.Left.Label.Text = "Pain (0-10)";
        plot.Axes.Left.Label.FontSize = 12;
        // Below the plot, so a worsening week is never hidden behind the legend.
        plot.ShowLegend(Edge.Bottom);

        return plot.GetImageBytes((int)(width * PixelsPerPoint), (int)(height * PixelsPerPoint), ImageFormat.Png);
    }

    private static ScottPlot.TickGenerators.NumericManual PainTicks()
    {
        var ticks = new ScottPlot.TickGenerators.NumericManual();
        for (var pain = 0; pain <= 10; pain += 2) ticks.AddMajor(pain, pain.ToString(CultureInfo.InvariantCulture));
        return ticks;
    }

    /// <summary>Mondays, labelled as a physiotherapist writes dates in notes; every other one over long periods.</summary>
    private static ScottPlot.TickGenerators.NumericManual WeekTicks(DateOnly first, DateOnly last)
    {
        var ticks = new ScottPlot.TickGenerators.NumericManual();
        var monday = first.AddDays(((int)DayOfWeek.Monday - (int)first.DayOfWeek + 7) % 7);
        var step = last.DayNumber - first.DayNumber > 70 ? 14 : 7;
        for (var day = monday; day <= last; day = day.AddDays(step))
        {
            ticks.AddMajor(day.DayNumber, day.ToString("d MMM", CultureInfo.InvariantCulture));
        }
        return ticks;
    }
}
