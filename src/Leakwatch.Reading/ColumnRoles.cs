using System.Collections.Frozen;
using Leakwatch.Core;

namespace Leakwatch.Reading;

/// <summary>Maps column/property names to <see cref="FieldRole"/>s: case-insensitive, ignoring spaces,
/// underscores, hyphens and dots ("E-Mail Address" → Email).</summary>
public static class ColumnRoles
{
    private static readonly FrozenDictionary<string, FieldRole> Names = Build();
    private static readonly FrozenDictionary<string, FieldRole>.AlternateLookup<ReadOnlySpan<char>> Lookup =
        Names.GetAlternateLookup<ReadOnlySpan<char>>();

    public static FieldRole FromName(string header) => FromName(header.AsSpan());

    /// <summary>Allocation-free variant of <see cref="FromName(string)"/>.</summary>
    public static FieldRole FromName(ReadOnlySpan<char> header)
    {
        if (header.Length > 64)
        {
            return FieldRole.Other;
        }

        Span<char> buffer = stackalloc char[64];
        var n = 0;
        foreach (var c in header)
        {
            if (c is ' ' or '_' or '-' or '.' or '\t')
            {
                continue;
            }

            buffer[n++] = char.ToLowerInvariant(c);
        }

        return n > 0 && Lookup.TryGetValue(buffer[..n], out var role) ? role : FieldRole.Other;
    }

    private static FrozenDictionary<string, FieldRole> Build()
    {
        var d = new Dictionary<string, FieldRole>(StringComparer.Ordinal);
        void Add(FieldRole role, params string[] names)
        {
            foreach (var name in names)
            {
                d[name] = role;
            }
        }

        Add(FieldRole.Email, "email", "mail", "emailaddress");
        Add(FieldRole.Phone, "phone", "mobile", "tel", "telephone", "msisdn", "phonenumber", "cell");
        Add(FieldRole.Name, "name", "fullname");
        Add(FieldRole.FirstName, "firstname", "givenname");
        Add(FieldRole.LastName, "lastname", "surname", "familyname");
        Add(FieldRole.BirthDate, "dob", "birthdate", "birthday", "dateofbirth");
        Add(FieldRole.Gender, "gender", "sex");
        Add(FieldRole.Location, "city", "location", "hometown", "country", "state", "region", "currentcity");
        Add(FieldRole.Employer, "employer", "workplace", "company", "work");
        Add(FieldRole.Relationship, "relationship", "relationshipstatus");
        Add(FieldRole.Username, "username", "login", "screenname");
        Add(FieldRole.Password, "password", "pass", "pwd");
        Add(FieldRole.PasswordHash, "hash", "passwordhash");
        Add(FieldRole.IpAddress, "ip", "ipaddress");
        Add(FieldRole.JobTitle, "job", "jobtitle", "title");
        return d.ToFrozenDictionary(StringComparer.Ordinal);
    }
}
