namespace CalfPainTracker.Alerts;

/// <summary>Carried by every response that gives advice, so no advice is read without it.</summary>
public static class Disclaimer
{
    public const string Text =
        "CalfPainTracker does not diagnose and never rules a condition out. If you have calf pain with shortness of breath, " +
        "chest pain or coughing blood, call emergency services now. If your calf is swollen, red, warm or painful at rest, " +
        "contact a doctor the same day.";
}
