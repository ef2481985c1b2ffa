namespace Leakwatch.Notify.Mail;

/// <summary>The one thing a mail asks the reader to do: a button in the HTML part, a bare link in the text part.</summary>
public sealed record MailAction(string Text, string Url);
