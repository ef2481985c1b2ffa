namespace Leakwatch.Catalog.Lookup;

/// <summary>How an account a person typed was understood.</summary>
public enum AccountKind
{
    Invalid,
    Email,
    Phone,
}
