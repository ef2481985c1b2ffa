namespace Leakwatch.Core;

/// <summary>What a dump column holds. Only <see cref="Email"/> and <see cref="Phone"/> are indexed;
/// the rest feed data classes and the verification report.</summary>
public enum FieldRole : byte
{
    /// <summary>A column Leakwatch does not know (uid, joined, …): carried along, never indexed.</summary>
    Other = 0,
    Email,
    Phone,
    Name,
    FirstName,
    LastName,
    BirthDate,
    Gender,
    Location,
    Employer,
    Relationship,
    Username,
    Password,
    PasswordHash,
    IpAddress,
    JobTitle,
}
