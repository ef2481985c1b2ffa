namespace Leakwatch.Privacy;

internal sealed class OprfKeysDto
{
    public OprfKeyDto? Active { get; set; }
    public OprfKeyDto? Pending { get; set; }
}
