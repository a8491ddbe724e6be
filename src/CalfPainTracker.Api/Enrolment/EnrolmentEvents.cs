namespace CalfPainTracker.Enrolment;

/// <summary>Why a device was signed out; each is a fact in the episode's history, with who did it.</summary>
public enum SignOutReason { ByPatient, ByClinic, RefreshTokenReused, Erasure, EpisodeClosed }

/// <summary>A clinician invited the patient of the episode to enrol a phone. The code is never stored, only its hash (on the invitation).</summary>
public sealed record PatientInvited(Guid EpisodeId, Guid InvitationId, Guid By, DateTimeOffset ExpiresAt, DateTimeOffset At);

/// <summary>An unused invitation was withdrawn: by a clinician, or because the episode closed.</summary>
public sealed record InvitationWithdrawn(Guid EpisodeId, Guid InvitationId, Guid? By, DateTimeOffset At);

/// <summary>The patient redeemed an invitation on a phone, which now has a device session.</summary>
public sealed record DeviceEnrolled(Guid EpisodeId, Guid DeviceId, Guid InvitationId, string DeviceName, DateTimeOffset At);

/// <summary>A device session ended: its refresh token no longer works. <see cref="By"/> is null when the service decided (reuse, closing).</summary>
public sealed record DeviceSignedOut(Guid EpisodeId, Guid DeviceId, SignOutReason Reason, Guid? By, DateTimeOffset At);
