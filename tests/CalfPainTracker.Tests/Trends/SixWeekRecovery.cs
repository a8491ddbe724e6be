using System.Globalization;
using System.Text.Json.Nodes;
using CalfPainTracker.Tests.Infrastructure;

namespace CalfPainTracker.Tests.Trends;

/// <summary>
/// A calf strain that settles over six weeks: pain 7 falling to 1, ice on most early days,
/// stretching from the second week, two missed days, a correction and a backfilled day.
/// </summary>
public static class SixWeekRecovery
{
    public static readonly DateOnly Onset = new(2026, 9, 20);
    public static readonly DateOnly FirstDay = new(2026, 9, 21);
    public const int Days = 42;
    public static readonly DateOnly[] Missed = [new(2026, 10, 4), new(2026, 10, 17)];
    public static readonly DateOnly Backfilled = new(2026, 10, 10);

    public static int PainOn(int dayIndex) => Math.Max(1, 7 - dayIndex / 6 + (dayIndex % 5 == 0 ? 1 : 0));

    public static JsonObject CheckInFor(int dayIndex)
    {
        var day = FirstDay.AddDays(dayIndex);
        return TestUser.CheckIn(day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), PainOn(dayIndex), new
        {
            swelling = dayIndex < 5 ? "mild" : "none",
            iceMinutes = dayIndex < 21 && dayIndex % 3 != 2 ? 20 : 0,
            heatMinutes = dayIndex >= 21 ? 15 : 0,
            stretchingMinutes = dayIndex >= 7 ? 10 : 0,
            restHours = dayIndex < 10 ? 3 : 1,
            nsaidTaken = dayIndex < 4,
        });
    }

    /// <summary>Logs the whole story as the patient would, in the order a real patient might.</summary>
    public static async Task LogAll(TestUser patient, Guid episode)
    {
        for (var i = 0; i < Days; i++)
        {
            var day = FirstDay.AddDays(i);
            if (Missed.Contains(day) || day == Backfilled) continue;
            await (await patient.LogCheckIn(episode, CheckInFor(i))).ShouldBe(System.Net.HttpStatusCode.Created);
        }
        // A mistyped day 1 corrected later, and a forgotten day entered a week late.
        var correction = CheckInFor(1);
        correction["painLevel"] = 6;
        await (await patient.LogCheckIn(episode, correction)).ShouldBe(System.Net.HttpStatusCode.Created);
        await (await patient.LogCheckIn(episode, CheckInFor(Backfilled.DayNumber - FirstDay.DayNumber))).ShouldBe(System.Net.HttpStatusCode.Created);
    }
}
