using System.Security.Claims;
using CalfPainTracker.Episodes;

namespace CalfPainTracker.Security;

public enum Role { Patient, Physio, ClinicAdmin }

/// <summary>
/// Who is asking: the user, their role and their clinic, read from a token whose claims
/// were checked when it was accepted (see <see cref="SecurityConfiguration"/>).
/// </summary>
public sealed record Caller(Guid UserId, Role Role, Guid ClinicId)
{
    public const string SubjectClaim = "sub";
    public const string RoleClaim = "role";
    public const string ClinicClaim = "clinic";

    public bool IsClinician => Role is Role.Physio or Role.ClinicAdmin;

    public static Caller From(ClaimsPrincipal principal) =>
        TryRead(principal) ?? throw new InvalidOperationException("The request reached an endpoint without a checked identity.");

    public static Caller? TryRead(ClaimsPrincipal principal) =>
        Guid.TryParse(principal.FindFirstValue(SubjectClaim), out var user)
        && Http.WireNames.TryParse<Role>(principal.FindFirstValue(RoleClaim), out var role)
        && Guid.TryParse(principal.FindFirstValue(ClinicClaim), out var clinic)
            ? new Caller(user, role, clinic)
            : null;

    /// <summary>
    /// Object-level authorisation: a patient sees their own episodes, a physiotherapist the
    /// episodes assigned to them, a clinic administrator every episode of the clinic (the
    /// clinic boundary itself is enforced by Marten's tenancy, not here).
    /// </summary>
    public bool CanSee(Episode episode) => Role switch
    {
        Role.Patient => episode.PatientId == UserId,
        Role.Physio => episode.PhysiotherapistId == UserId,
        Role.ClinicAdmin => true,
        _ => false,
    };
}
