namespace Leakwatch.Core;

/// <summary>HIBP's data class names, so that breaches read the same as on haveibeenpwned.com.</summary>
public static class DataClass
{
    public const string EmailAddresses = "Email addresses";
    public const string PhoneNumbers = "Phone numbers";
    public const string Names = "Names";
    public const string DatesOfBirth = "Dates of birth";
    public const string Genders = "Genders";
    public const string GeographicLocations = "Geographic locations";
    public const string Employers = "Employers";
    public const string RelationshipStatuses = "Relationship statuses";
    public const string Usernames = "Usernames";
    public const string Passwords = "Passwords";
    public const string PasswordHashes = "Password hashes";
    public const string IpAddresses = "IP addresses";
    public const string JobTitles = "Job titles";
    public const string PhysicalAddresses = "Physical addresses";

    /// <summary>The data class a column role exposes, or null for roles that expose none (unknown columns).</summary>
    public static string? For(FieldRole role) => role switch
    {
        FieldRole.Email => EmailAddresses,
        FieldRole.Phone => PhoneNumbers,
        FieldRole.Name or FieldRole.FirstName or FieldRole.LastName => Names,
        FieldRole.BirthDate => DatesOfBirth,
        FieldRole.Gender => Genders,
        FieldRole.Location => GeographicLocations,
        FieldRole.Employer => Employers,
        FieldRole.Relationship => RelationshipStatuses,
        FieldRole.Username => Usernames,
        FieldRole.Password => Passwords,
        FieldRole.PasswordHash => PasswordHashes,
        FieldRole.IpAddress => IpAddresses,
        FieldRole.JobTitle => JobTitles,
        _ => null,
    };
}
