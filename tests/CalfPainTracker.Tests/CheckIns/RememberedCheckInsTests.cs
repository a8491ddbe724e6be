using CalfPainTracker.Episodes;
using CalfPainTracker.Tests.Alerts;

namespace CalfPainTracker.Tests.CheckIns;

public sealed class RememberedCheckInsTests
{
    [Fact]
    public void A_long_recovery_remembers_its_last_sixty_check_ins_for_a_resubmission_and_no_older_ones()
    {
        var episode = PatientStories.Episode();
        var checkIns = Enumerable.Range(0, 90).Select(day => PatientStories.Day(day, pain: 3)).ToArray();

        episode.Log(checkIns);

        Assert.Equal(Episode.RememberedCheckIns, episode.Receipts.Count);
        Assert.All(checkIns[^Episode.RememberedCheckIns..], c => Assert.Equal(c.Day, episode.Receipts[c.CheckInId].Day));
        Assert.DoesNotContain(checkIns[^(Episode.RememberedCheckIns + 1)].CheckInId, episode.Receipts.Keys);
    }
}
