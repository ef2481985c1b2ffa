namespace Leakwatch.Passwords;

/// <summary>The two hash kinds Pwned Passwords serves.</summary>
public enum PasswordHashMode
{
    Sha1,
    Ntlm,
}
