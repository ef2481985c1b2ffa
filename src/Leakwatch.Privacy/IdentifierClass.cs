namespace Leakwatch.Privacy;

/// <summary>Which kind of identifier a key was made from. Part of the hashed input (domain separation),
/// so an email and a phone never collide and every key has exactly one class.</summary>
public enum IdentifierClass : byte
{
    Email = 1,
    Phone = 2,
}
