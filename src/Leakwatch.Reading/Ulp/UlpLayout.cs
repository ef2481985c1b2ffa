namespace Leakwatch.Reading.Ulp;

/// <summary>Where the URL stands in a stealer-log line.</summary>
public enum UlpLayout : byte
{
    /// <summary><c>URL:login:password</c> or <c>URL|login|password</c>: the password is the rest of the line.</summary>
    UrlFirst = 0,
    /// <summary><c>login:password:URL</c>: the password is everything between the login and the URL.</summary>
    LoginFirst,
}
