namespace Leakwatch.Privacy;

internal sealed class OprfKeyDto
{
    public string? Seed { get; set; }
    public string? KeyId { get; set; }
    public DateTimeOffset Created { get; set; }
}
