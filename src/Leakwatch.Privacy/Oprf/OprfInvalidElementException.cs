namespace Leakwatch.Privacy.Oprf;

/// <summary>
/// A group element received from the other party is not a canonical ristretto255 encoding, or is the identity
/// (RFC 9497 DeserializeElement's InputValidationError). On the server this is the client's fault: map it to 400.
/// </summary>
public sealed class OprfInvalidElementException : Exception
{
    public OprfInvalidElementException()
        : base("not a valid non-identity ristretto255 element")
    {
    }

    public OprfInvalidElementException(string message)
        : base(message)
    {
    }

    public OprfInvalidElementException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
