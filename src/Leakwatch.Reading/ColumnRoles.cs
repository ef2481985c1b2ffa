using System.Collections.Frozen;
using Leakwatch.Core;

namespace Leakwatch.Reading;

/// <summary>Maps column/property names to <see cref="FieldRole"/>s: case-insensitive, ignoring spaces,
/// underscores, hyphens and dots ("E-Mail Address" → Email). An email or phone name with a qualifier or a number
/// ("work_email", "email2", "home_phone", "mobile_2") names another email or phone column.</summary>
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

        if (n == 0)
        {
            return FieldRole.Other;
        }

        return Lookup.TryGetValue(buffer[..n], out var role) ? role : QualifiedIdentifier(buffer[..n]);
    }

    /// <summary>Qualifiers that make a second email or phone column ("work_email", "email2", "home_phone",
    /// "mobile_private"); only email and phone names take them, since every such column is indexed.</summary>
    private static readonly string[] Qualifiers =
    [
        "work", "home", "personal", "private", "business", "office", "other", "alternate", "alternative", "alt",
        "secondary", "primary", "second", "backup", "recovery", "contact", "main", "new", "old", "user",
        "arbeit", "privat", "geschaeftlich", "geschäftlich", "pro", "perso", "trabajo", "casa",
    ];

    /// <summary>Email or Phone for a known email/phone name with trailing digits or one qualifier before or
    /// after it; otherwise Other.</summary>
    private static FieldRole QualifiedIdentifier(ReadOnlySpan<char> name)
    {
        var bare = name.TrimEnd("0123456789");
        if (bare.Length < name.Length && bare.Length > 0 && IdentifierRole(bare) is var byDigits and not FieldRole.Other)
        {
            return byDigits;
        }

        foreach (var q in Qualifiers)
        {
            if (bare.Length > q.Length && bare.StartsWith(q, StringComparison.Ordinal) && IdentifierRole(bare[q.Length..]) is var after and not FieldRole.Other)
            {
                return after;
            }

            if (bare.Length > q.Length && bare.EndsWith(q, StringComparison.Ordinal) && IdentifierRole(bare[..^q.Length]) is var before and not FieldRole.Other)
            {
                return before;
            }
        }

        return FieldRole.Other;
    }

    private static FieldRole IdentifierRole(ReadOnlySpan<char> name) =>
        Lookup.TryGetValue(name, out var role) && role is FieldRole.Email or FieldRole.Phone ? role : FieldRole.Other;

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

        // English first, then the names dumps from elsewhere carry (German, French, Spanish, Portuguese, Italian,
        // Dutch, Nordic, Polish, Russian transliterated), as they arrive once lowercased and stripped of
        // separators. Accented spellings are listed as typed. "nom" is French for surname.
        Add(FieldRole.Email, "email", "mail", "emailaddress", "emailid", "mailaddress", "useremail", "emails",
            "emailadresse", "mailadresse", "courriel", "adressemail", "correo", "correoelectronico", "epost", "eposta",
            "posta", "pochta");
        Add(FieldRole.Phone, "phone", "mobile", "tel", "telephone", "msisdn", "phonenumber", "cell",
            "phoneno", "phonenum", "mobileno", "mobilenumber", "mobilephone", "cellphone", "cellnumber", "telno",
            "contactnumber", "contactno", "telefon", "telefonnummer", "handy", "handynummer", "mobil", "telefone",
            "telefono", "teléfono", "téléphone", "portable", "celular", "cellulare", "numerotelephone", "telefoon",
            "mobiel", "telefonnr", "komórka", "telefonu");
        Add(FieldRole.Name, "name", "fullname", "displayname", "nomcomplet", "nombrecompleto", "vollständigername");
        Add(FieldRole.FirstName, "firstname", "givenname", "fname", "forename", "first", "vorname", "prenom", "prénom",
            "nombre", "nome", "voornaam", "imie", "imię");
        Add(FieldRole.LastName, "lastname", "surname", "familyname", "lname", "last", "nachname", "nom", "apellido",
            "apellidos", "sobrenome", "cognome", "achternaam", "nazwisko");
        Add(FieldRole.BirthDate, "dob", "birthdate", "birthday", "dateofbirth", "bday", "birth", "geburtsdatum",
            "geburtstag", "datedenaissance", "fechadenacimiento", "fechanacimiento", "datanascimento", "datadinascita",
            "geboortedatum");
        Add(FieldRole.Gender, "gender", "sex", "geschlecht", "sexe", "sexo", "sesso", "geslacht");
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
