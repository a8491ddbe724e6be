using System.Globalization;
using CalfPainTracker.CheckIns;
using CalfPainTracker.Http;

namespace CalfPainTracker.Simulator.Stories;

public enum Submission
{
    /// <summary>Logged on the day, in day order.</summary>
    OnTheDay,

    /// <summary>A second check-in for a day just logged: the patient fixes a mistyped pain score.</summary>
    Correction,

    /// <summary>A forgotten day entered a few days late, after later days.</summary>
    Backfilled,
}

/// <summary>One check-in as the patient will send it, in the order they send them.</summary>
public sealed record PlannedCheckIn(DateOnly Day, LogCheckInRequest Request, Submission Submission);

/// <summary>
/// Turns a story into the check-ins a real patient sends: the story's picture with daily noise
/// (pain ± about half a point), the treatments the patient chose (which ease the next day a
/// little), and how diligent they are: a few days missed, a few entered late, a few mistyped
/// and corrected. Pure: everything comes from the <see cref="Random"/> given.
/// </summary>
public static class PatientDiary
{
    public const string TimeZone = "Europe/London";

    private const double DailyNoise = 0.6;
    private const double BackfillChance = 0.04;
    private const double CorrectionChance = 0.04;

    public static IReadOnlyList<PlannedCheckIn> Write(Story story, DateOnly onset, int days, Random random)
    {
        var adherence = Story.Between(random, 0.35, 0.95);
        var missChance = Story.Between(random, 0, 0.06);
        var lastDay = Math.Min(days, story.LastDay ?? days);

        var sent = new List<PlannedCheckIn>();
        var late = new List<(int DueAfter, PlannedCheckIn CheckIn)>();
        Treatment? yesterday = null;
        for (var day = 1; day <= lastDay; day++)
        {
            var picture = story.PictureOn(day, yesterday, random);
            var pain = Math.Clamp((int)Math.Round(picture.Pain + Gaussian(random) * DailyNoise), picture.MinimumPain, 10);
            var treatment = story.Choose(day, pain, adherence, random);
            yesterday = treatment;
            if (story.Away(day)) continue;

            var date = onset.AddDays(day - 1);
            var checkIn = Request(date, pain, picture, treatment, random);
            var roll = random.NextDouble();
            if (!picture.KeyDay && roll < missChance) continue;
            if (!picture.KeyDay && roll < missChance + BackfillChance)
            {
                late.Add((day + random.Next(1, 4), new PlannedCheckIn(date, checkIn, Submission.Backfilled)));
                continue;
            }

            if (!picture.KeyDay && random.NextDouble() < CorrectionChance)
            {
                // The mistyped score goes first; the correction carries the story's value.
                var typo = Math.Clamp(pain + (random.Next(2) == 0 ? -2 : 2), picture.MinimumPain, 10);
                if (typo == pain) typo = pain < 10 ? pain + 1 : pain - 1;
                sent.Add(new PlannedCheckIn(date, checkIn with { CheckInId = NewId(random), PainLevel = typo }, Submission.OnTheDay));
                sent.Add(new PlannedCheckIn(date, checkIn, Submission.Correction));
            }
            else
            {
                sent.Add(new PlannedCheckIn(date, checkIn, Submission.OnTheDay));
            }

            sent.AddRange(late.Where(l => l.DueAfter <= day).Select(l => l.CheckIn));
            late.RemoveAll(l => l.DueAfter <= day);
        }
        sent.AddRange(late.Select(l => l.CheckIn));
        return sent;
    }

    /// <summary>A version-4 UUID drawn from the seeded generator, so the same seed sends the same check-in ids.</summary>
    public static Guid NewId(Random random)
    {
        Span<byte> bytes = stackalloc byte[16];
        random.NextBytes(bytes);
        bytes[7] = (byte)((bytes[7] & 0x0F) | 0x40);
        bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80);
        return new Guid(bytes);
    }

    private static LogCheckInRequest Request(DateOnly day, int pain, DayPicture picture, Treatment treatment, Random random) => new(
        CheckInId: NewId(random),
        Day: day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        PainLevel: pain,
        PainAtRest: picture.PainAtRest,
        PainAtNight: picture.PainAtNight,
        Swelling: WireNames.Of(picture.Swelling),
        SwellingAtAnkle: picture.SwellingAtAnkle,
        CalfCircumferenceCm: picture.Calf is { } calf ? new CalfCircumferenceRequest(calf.Affected, calf.Other) : null,
        RestHours: treatment.RestHours,
        IceMinutes: treatment.IceMinutes,
        HeatMinutes: treatment.HeatMinutes,
        StretchingMinutes: treatment.StretchingMinutes,
        NsaidTaken: treatment.NsaidTaken,
        CanWalkComfortably: picture.CanWalkComfortably,
        Symptoms: [.. (picture.Symptoms ?? []).Select(WireNames.Of)],
        Notes: picture.Notes);

    /// <summary>Standard normal, by Box-Muller: daily pain wobbles, mostly by less than a point.</summary>
    private static double Gaussian(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
}
