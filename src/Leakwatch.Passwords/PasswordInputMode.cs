namespace Leakwatch.Passwords;

/// <summary>What an ingest input holds: HIBP corpus lines of one hash kind, or plaintext passwords.</summary>
public enum PasswordInputMode
{
    /// <summary>HASH:COUNT lines; SHA-1 or NTLM chosen from the first line's hash length (40 or 32 hex).</summary>
    Auto,
    Sha1,
    Ntlm,
    /// <summary>One password per line, count 1 per occurrence; both SHA-1 (UTF-8) and NTLM (MD4 of UTF-16LE) are stored.</summary>
    Plain,
}
