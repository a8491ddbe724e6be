namespace CalfPainTracker.MartenPeer;

// Public: Marten's generated code reads and writes these.

/// <summary>A check-in as the load sends it; taken as it comes, nothing checked.</summary>
public sealed record CheckInBody(
    Guid CheckInId,
    DateOnly Day,
    int PainLevel,
    bool PainAtRest,
    bool PainAtNight,
    string Swelling,
    bool CanWalkComfortably,
    decimal RestHours,
    int IceMinutes,
    int HeatMinutes,
    int StretchingMinutes,
    bool NsaidTaken,
    IReadOnlyList<string> Symptoms,
    string? Notes);

public sealed record EpisodeOpened(Guid EpisodeId, DateTimeOffset OpenedAt);

public sealed record CheckInLogged(Guid EpisodeId, CheckInBody CheckIn, DateTimeOffset LoggedAt);

public sealed record DayPain(DateOnly Day, int Pain);

public sealed record CheckInReceipt(DateOnly Day, bool Correction);

/// <summary>
/// What the service's Episode keeps of its check-ins, and so grows by per check-in: each day's
/// pain in day order, the latest day's check-in in full and a receipt of every check-in id.
/// </summary>
public sealed class EpisodeSnapshot
{
    private static readonly Comparer<DayPain> ByDay = Comparer<DayPain>.Create((a, b) => a.Day.CompareTo(b.Day));

    public Guid Id { get; set; }
    public long Version { get; set; }
    public DateTimeOffset OpenedAt { get; set; }
    public List<DayPain> Days { get; set; } = [];
    public CheckInBody? Latest { get; set; }
    public Dictionary<Guid, CheckInReceipt> Receipts { get; set; } = [];

    public void Apply(EpisodeOpened e)
    {
        Id = e.EpisodeId;
        OpenedAt = e.OpenedAt;
    }

    public void Apply(CheckInLogged e)
    {
        var pain = new DayPain(e.CheckIn.Day, e.CheckIn.PainLevel);
        var index = Days.BinarySearch(pain, ByDay);
        if (index >= 0) Days[index] = pain; else Days.Insert(~index, pain);
        Receipts[e.CheckIn.CheckInId] = new CheckInReceipt(e.CheckIn.Day, Correction: index >= 0);
        if (Latest is null || e.CheckIn.Day >= Latest.Day) Latest = e.CheckIn;
    }
}
