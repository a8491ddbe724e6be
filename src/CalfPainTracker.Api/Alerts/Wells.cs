using CalfPainTracker.CheckIns;
using CalfPainTracker.Episodes;

namespace CalfPainTracker.Alerts;

/// <summary>
/// Two-level Wells score for DVT (Wells 2003, NEJM 349:1227; used by NICE). The patient can
/// report some items; the rest need a clinician's examination. A partial score may only
/// escalate: it is never shown to anyone as "DVT unlikely".
/// </summary>
public static class Wells
{
    public const string Source = "Wells PS et al. 2003, NEJM 349:1227 (two-level DVT score, as used by NICE NG158)";

    /// <summary>Calf swelling at least this much larger than the other side counts (10 cm below the tibial tuberosity).</summary>
    public const decimal CalfDifferenceCm = 3.0m;

    public const int LikelyFrom = 2;

    public static readonly IReadOnlyList<string> ClinicianItems =
    [
        "localised tenderness along the deep venous system",
        "pitting oedema confined to the symptomatic leg",
        "collateral superficial veins (non-varicose)",
        "alternative diagnosis at least as likely as DVT (-2)",
    ];

    /// <param name="day">The check-in the score is for; none before the first check-in, leaving the risk factors alone.</param>
    public static PartialWells Partial(RiskFactors risk, CheckIn? day)
    {
        var present = new List<string>();
        if (risk.ActiveCancer) present.Add("active cancer");
        if (risk.RecentImmobilisation) present.Add("paralysis, paresis or recent plaster immobilisation of the leg");
        if (risk.BedriddenOrRecentSurgery) present.Add("bedridden 3 days or more, or major surgery within 12 weeks");
        if (risk.PreviousDvt) present.Add("previously documented DVT");
        if (day?.Has(Symptom.EntireLegSwollen) == true) present.Add("entire leg swollen");
        if (day?.CalfCircumferenceCm is { } c && c.Difference >= CalfDifferenceCm) present.Add($"calf swelling {c.Difference:0.#} cm larger than the other side");
        return new PartialWells(present.Count, present, ClinicianItems);
    }

    public static WellsScore Full(PartialWells patientReported, WellsExam exam)
    {
        var score = patientReported.Score
            + (exam.DeepVeinTenderness ? 1 : 0)
            + (exam.PittingOedema ? 1 : 0)
            + (exam.CollateralVeins ? 1 : 0)
            - (exam.AlternativeDiagnosisAsLikely ? 2 : 0);
        var likely = score >= LikelyFrom;
        return new WellsScore(
            score,
            likely,
            likely
                ? "DVT likely (score 2 or more): proximal leg vein ultrasound within 4 hours; if it cannot be done in 4 hours, D-dimer and interim anticoagulation (NICE NG158)."
                : "DVT unlikely by score (1 or less): D-dimer test; if positive, ultrasound within 4 hours (NICE NG158). The score does not exclude a clot on its own.",
            Source);
    }
}

/// <summary>The Wells items a patient can report, the points they add up to, and what still needs examining.</summary>
public sealed record PartialWells(int Score, IReadOnlyList<string> PatientItems, IReadOnlyList<string> ItemsForClinician);

/// <summary>The clinician-only Wells items, recorded after examining the patient.</summary>
public sealed record WellsExam(bool DeepVeinTenderness, bool PittingOedema, bool CollateralVeins, bool AlternativeDiagnosisAsLikely);

/// <summary>A full two-level Wells score. Shown to clinicians only.</summary>
public sealed record WellsScore(int Score, bool DvtLikely, string NextStep, string Source);
