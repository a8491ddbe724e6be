using CalfPainTracker.Alerts;
using CalfPainTracker.Episodes;
using CalfPainTracker.Notifications;

namespace CalfPainTracker.Tests.Episodes;

/// <summary>
/// Every computation on a patient's local day or time, over every IANA zone this machine knows
/// and every day of two years: 2011 (Pacific/Apia skipped 30 December; many zones changed their
/// rules) and 2026 (America/Santiago's clocks jump from 00:00 to 01:00 on 6 September).
/// </summary>
public sealed class LocalTimeProperties
{
    private static readonly int[] Years = [2011, 2026];
    private static readonly TimeOnly[] Times = [TimeOnly.MinValue, new(2, 30), new(20, 0)];

    public static IEnumerable<TimeZoneInfo> Zones() => TimeZoneInfo.GetSystemTimeZones().Where(z => z.HasIanaId);

    private static IEnumerable<DateOnly> DaysOf(int year) =>
        Enumerable.Range(0, DateTime.IsLeapYear(year) ? 366 : 365).Select(i => new DateOnly(year, 1, 1).AddDays(i));

    [Fact]
    public void The_machine_knows_the_zones_that_make_this_test_worth_running()
    {
        var ids = Zones().Select(z => z.Id).ToHashSet();
        Assert.True(ids.Count > 300, $"only {ids.Count} IANA zones");
        Assert.Contains("America/Santiago", ids);
        Assert.Contains("Pacific/Apia", ids);
    }

    [Fact]
    public void A_local_time_lands_on_that_wall_clock_time_or_the_first_instant_after_a_jump_in_every_zone_on_every_day()
    {
        var wrong = new List<string>();
        foreach (var zone in Zones())
        foreach (var day in Years.SelectMany(DaysOf))
        foreach (var time in Times)
        {
            try
            {
                if (Misses(LocalTime.At(day, time, zone), day.ToDateTime(time), zone) is { } miss) wrong.Add(miss);
            }
            catch (Exception e)
            {
                wrong.Add($"{zone.Id} {day} {time}: {e.GetType().Name} {e.Message}");
            }
        }
        Assert.True(wrong.Count == 0, $"{wrong.Count} wrong, first: {string.Join("; ", wrong.Take(5))}");
    }

    /// <summary>
    /// Why <paramref name="instant"/> is not when the clock first shows <paramref name="wall"/> (or,
    /// where the clock skips it, the first instant after), judged only by converting instants to
    /// wall-clock times, the one direction the platform gets right in every zone.
    /// </summary>
    private static string? Misses(DateTimeOffset instant, DateTime wall, TimeZoneInfo zone)
    {
        DateTime Shown(DateTimeOffset at) => TimeZoneInfo.ConvertTime(at, zone).DateTime;
        var shown = Shown(instant);
        if (shown == wall)
        {
            // Clocks go back by 30 minutes (Lord Howe), an hour, or two: none of those earlier instants may show it too.
            int[] back = [30, 60, 120];
            return back.Any(minutes => Shown(instant.AddMinutes(-minutes)) == wall) ? $"{zone.Id} {wall:s}: {instant:O} is not its first showing" : null;
        }
        var secondBefore = Shown(instant.AddSeconds(-1));
        return shown > wall && secondBefore < wall ? null : $"{zone.Id} {wall:s}: {instant:O} shows {shown:s}, a second earlier {secondBefore:s}";
    }

    [Fact]
    public void Opening_an_episode_a_check_in_and_the_reminder_chain_never_throw_and_keep_to_the_patients_clock()
    {
        var settings = new NotificationSettings();
        var wrong = new List<string>();
        foreach (var zone in Zones())
        {
            var episode = new Episode();
            episode.Apply(new EpisodeOpened(Guid.NewGuid(), Guid.NewGuid(), Side.Left, SuspectedCause.CalfStrain, new DateOnly(2010, 12, 1), zone.Id, RiskFactors.None, DateTimeOffset.UnixEpoch));
            foreach (var day in Years.SelectMany(DaysOf))
            {
                try
                {
                    // Opening at noon UTC that day: the reminder chain's first day, and the missed check-ins from the day before.
                    var opening = new DateTimeOffset(day.ToDateTime(new TimeOnly(12, 0)), TimeSpan.Zero);
                    var first = DailyReminder.FirstDay(episode, settings, opening);
                    if (DailyReminder.ReminderTime(episode, first, settings) <= opening) wrong.Add($"{zone.Id} opened {opening:O}: first reminder not after opening");

                    // A check-in for the day: the physiotherapist's check at local midnight four whole days later.
                    var due = MissedCheckIns.DueAt(episode, day);
                    var dueDay = LocalTime.DayOf(due, zone);
                    if (dueDay < day.AddDays(MissedCheckIns.TellPhysioAfterDays + 1)) wrong.Add($"{zone.Id} {day}: missed check-ins due on {dueDay}");

                    // The reminder that day, at 20:00 on the patient's clock (not midnight plus 20 hours).
                    if (Misses(DailyReminder.ReminderTime(episode, day, settings), day.ToDateTime(settings.ReminderLocalTime), zone) is { } miss) wrong.Add("reminder: " + miss);
                }
                catch (Exception e)
                {
                    wrong.Add($"{zone.Id} {day}: {e.GetType().Name} {e.Message}");
                }
            }
        }
        Assert.True(wrong.Count == 0, $"{wrong.Count} wrong, first: {string.Join("; ", wrong.Take(5))}");
    }
}
