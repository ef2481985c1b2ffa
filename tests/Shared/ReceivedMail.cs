using MimeKit;

namespace Leakwatch.TestSupport;

/// <summary>What the loopback SMTP server got in one transaction: the envelope, the raw bytes and the parsed mail,
/// and whether it accepted it.</summary>
internal sealed record ReceivedMail(string From, IReadOnlyList<string> To, byte[] Raw, MimeMessage Message, bool Accepted);
