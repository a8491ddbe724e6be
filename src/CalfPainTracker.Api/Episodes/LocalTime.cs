namespace CalfPainTracker.Episodes;

/// <summary>
/// The patient's wall clock. Every conversion is total over every IANA zone and clock change:
/// a zone may skip a time (America/Santiago jumps from 00:00 to 01:00, so that midnight never
/// happens; Pacific/Apia once skipped a whole day) or show it twice when clocks go back.
/// </summary>
public static class LocalTime
{
    public static DateOnly DayOf(DateTimeOffset instant, TimeZoneInfo zone) =>
        DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(instant, zone).DateTime);

    /// <summary>
    /// The instant the patient's clock shows <paramref name="time"/> on <paramref name="day"/>. A
    /// time the clock skips becomes the first instant after the jump (the next time that exists);
    /// a time shown twice is its first showing, so nothing due then is an hour late.
    /// </summary>
    /// <remarks>
    /// Only the direction instant -> wall clock is trusted: TimeZoneInfo's wall clock -> instant
    /// methods (IsInvalidTime, GetUtcOffset of a local time) misjudge the clock changes of zones
    /// whose rules have since changed (America/Fort_Nelson's 2011 spring-forward is "valid" to them).
    /// </remarks>
    public static DateTimeOffset At(DateOnly day, TimeOnly time, TimeZoneInfo zone)
    {
        var wall = day.ToDateTime(time, DateTimeKind.Unspecified);
        // The offsets in force within a day and a bit either side: every instant that can show this wall time uses one of them.
        var offsets = SampleHours.Select(h => zone.GetUtcOffset(DateTime.SpecifyKind(wall.AddHours(h), DateTimeKind.Utc))).Distinct().ToList();
        var showings = offsets.Select(o => wall - o).Where(utc => WallClock(utc, zone) == wall).ToList();
        if (showings.Count > 0) return Utc(showings.Min());

        // Skipped: the clock jumps from before it to after it somewhere between these two instants.
        return Utc(FirstShowingAfter(wall, wall - offsets.Max(), wall - offsets.Min(), zone));
    }

    private static readonly int[] SampleHours = [-30, -16, -8, 0, 8, 16, 30];

    /// <summary>The first whole second whose wall clock is at or after <paramref name="wall"/>, by halving the span in which it changes.</summary>
    private static DateTime FirstShowingAfter(DateTime wall, DateTime before, DateTime after, TimeZoneInfo zone)
    {
        // In whole seconds: clock changes happen on whole seconds, so the answer is exact.
        var low = before.Ticks / TimeSpan.TicksPerSecond;
        var high = after.Ticks / TimeSpan.TicksPerSecond;
        while (high - low > 1)
        {
            var middle = low + (high - low) / 2;
            if (WallClock(new DateTime(middle * TimeSpan.TicksPerSecond), zone) >= wall) high = middle;
            else low = middle;
        }
        return new DateTime(high * TimeSpan.TicksPerSecond);
    }

    private static DateTime WallClock(DateTime utc, TimeZoneInfo zone) =>
        TimeZoneInfo.ConvertTimeFromUtc(DateTime.SpecifyKind(utc, DateTimeKind.Utc), zone);

    private static DateTimeOffset Utc(DateTime utc) => new(DateTime.SpecifyKind(utc, DateTimeKind.Utc));
}
