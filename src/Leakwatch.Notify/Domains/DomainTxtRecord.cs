namespace Leakwatch.Notify.Domains;

/// <summary>The TXT record that proves control of a domain: <c>leakwatch-verification=&lt;token&gt;</c> at the domain itself.</summary>
public static class DomainTxtRecord
{
    public const string Prefix = "leakwatch-verification=";

    public static string For(string token) => Prefix + token;
}
