namespace Leakwatch.Core;

/// <summary>Gender as dumps record it, reduced to what the verification report needs.</summary>
public enum Gender
{
    Unknown,
    Female,
    Male,
    Other,
}
