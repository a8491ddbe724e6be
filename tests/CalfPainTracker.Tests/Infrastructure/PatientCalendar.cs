using System.Globalization;

namespace CalfPainTracker.Tests.Infrastructure;

/// <summary>
/// Days on the real clock in a patient's zone, for tests whose service runs on the real clock
/// (a process, or a host given <see cref="TimeProvider.System"/>). The service refuses an onset
/// more than 366 days ago and any day after today in the episode's zone, so a fixed date in such
/// a test passes only for a while; tests on <see cref="ApiHost.Clock"/> keep their fixed dates.
/// </summary>
public static class PatientCalendar
{
    public static DateOnly Today(string zone) =>
        DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(DateTimeOffset.UtcNow, TimeZoneInfo.FindSystemTimeZoneById(zone)).DateTime);

    /// <summary>The day <paramref name="days"/> before today in <paramref name="zone"/>, as the API writes days.</summary>
    public static string DaysAgo(int days, string zone) => Iso(Today(zone).AddDays(-days));

    public static string Iso(DateOnly day) => day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
}
