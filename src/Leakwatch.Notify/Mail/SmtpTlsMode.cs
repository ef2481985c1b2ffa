namespace Leakwatch.Notify.Mail;

/// <summary>How the connection to the SMTP relay is protected (<c>--smtp-tls</c>).</summary>
public enum SmtpTlsMode
{
    /// <summary>Plain text: only for a relay on this machine or a trusted network.</summary>
    None,

    /// <summary>Plain connect, then <c>STARTTLS</c>, required (a relay that does not offer it fails the delivery).</summary>
    StartTls,

    /// <summary>TLS from the first byte (SMTPS, usually port 465).</summary>
    Tls,
}
