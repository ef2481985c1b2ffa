namespace Leakwatch.Synthetic.Internal;

/// <summary>Field order of every shape.</summary>
internal static class Fields
{
    public const int Phone = 0, Uid = 1, FirstName = 2, LastName = 3, Gender = 4, City = 5, Country = 6,
        Relationship = 7, Employer = 8, Email = 9, Dob = 10, Count = 11;

    public static readonly string[] Names =
        ["phone", "uid", "first_name", "last_name", "gender", "city", "country", "relationship", "employer", "email", "dob"];

    public static readonly string CsvHeader = string.Join(',', Names);
}
