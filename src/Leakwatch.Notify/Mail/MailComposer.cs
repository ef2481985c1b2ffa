using System.Globalization;
using System.Text;
using Leakwatch.Catalog.State;
using Leakwatch.Core;
using MimeKit;

namespace Leakwatch.Notify.Mail;

/// <summary>
/// Builds the mail of one outbox row: <c>multipart/alternative</c> with a text and an HTML part, the same
/// <c>Message-ID</c> on every attempt (<c>&lt;row.MessageId@public-host&gt;</c>), and RFC 8058 one-click unsubscribe
/// on mails to a subscription. The recipient is the row's own: the subscription's sealed address for a breach mail,
/// the row's sealed payload otherwise. Nothing else about any other person is read.
/// </summary>
public sealed class MailComposer
{
    /// <summary>How long a verification link works (the subscription endpoints set the same validity).</summary>
    public static readonly TimeSpan VerifyValidity = TimeSpan.FromHours(24);

    private static readonly TimeSpan BreachCacheAge = TimeSpan.FromMinutes(1);

    private readonly MailOptions _options;
    private readonly StateStore _store;
    private readonly NotifySealing _sealing;
    private readonly TimeProvider _time;
    private readonly Lock _breachLock = new();
    private Dictionary<int, Breach> _breaches = [];
    private DateTimeOffset _breachesRead = DateTimeOffset.MinValue;

    public MailComposer(MailOptions options, StateStore store, NotifySealing sealing, TimeProvider? time = null)
    {
        _options = options ?? throw new ArgumentNullException(nameof(options));
        _store = store ?? throw new ArgumentNullException(nameof(store));
        _sealing = sealing ?? throw new ArgumentNullException(nameof(sealing));
        _time = time ?? TimeProvider.System;
    }

    /// <summary>
    /// The mail of <paramref name="row"/>, or false with <paramref name="problem"/> (one line, no address) when it can
    /// never be sent: its subscription or breach is gone, its payload does not open, its event is not a mail.
    /// </summary>
    public bool TryCompose(OutboxItem row, out MimeMessage? message, out string? problem)
    {
        ArgumentNullException.ThrowIfNull(row);
        message = null;
        (string To, MailContent Content)? mail;
        try
        {
            mail = row.Event switch
            {
                NotifyEvents.BreachExposed => BreachMail(row, out problem),
                NotifyEvents.SubscriptionVerify or NotifyEvents.SubscriptionActive or NotifyEvents.OptOutVerify => LinkMail(row, out problem),
                NotifyEvents.DomainVerify => DomainMail(row, out problem),
                NotifyEvents.DomainBreach => DomainBreachMail(row, out problem),
                _ => Fail($"event '{row.Event}' is not a mail", out problem),
            };
        }
        catch (Leakwatch.Core.Errors.LeakwatchException e)
        {
            // A sealed value that does not open (another key file, a damaged row) never will.
            mail = Fail(e.Message.ReplaceLineEndings(" "), out problem);
        }
        catch (InvalidDataException e)
        {
            mail = Fail(e.Message.ReplaceLineEndings(" "), out problem);
        }

        if (mail is not { } m)
        {
            return false;
        }

        if (!MailboxAddress.TryParse(m.To, out var to))
        {
            problem = "the recipient is not a mail address";
            return false;
        }

        message = Build(row, to, m.Content);
        return true;
    }

    private MimeMessage Build(OutboxItem row, MailboxAddress to, MailContent content)
    {
        var message = new MimeMessage();
        message.From.Add(_options.From);
        message.To.Add(to);
        message.Subject = content.Subject;
        message.MessageId = $"{row.MessageId}@{_options.MessageIdDomain}";
        message.Date = _time.GetUtcNow();
        // RFC 3834: an automatic message, so that auto-responders do not answer it.
        message.Headers.Add("Auto-Submitted", "auto-generated");
        if (content.UnsubscribeUrl is { } unsubscribe)
        {
            message.Headers.Add(HeaderId.ListUnsubscribe, $"<{unsubscribe}>");
            message.Headers.Add("List-Unsubscribe-Post", "List-Unsubscribe=One-Click");
        }

        var body = new BodyBuilder { TextBody = MailText.Render(content), HtmlBody = MailHtml.Render(content) };
        message.Body = body.ToMessageBody();
        return message;
    }

    private (string, MailContent)? BreachMail(OutboxItem row, out string? problem)
    {
        if (_store.SubscriptionById(row.TargetId) is not { } subscription)
        {
            return Fail("the subscription no longer exists", out problem);
        }

        if (subscription.Verified is null)
        {
            return Fail("the subscription is not verified", out problem);
        }

        if (FindBreach(row.BreachId) is not { } breach)
        {
            return Fail($"breach {row.BreachId.ToString(CultureInfo.InvariantCulture)} is no longer in the catalogue", out problem);
        }

        var address = Encoding.UTF8.GetString(_sealing.Address.Open(subscription.SealedAddress, "subscription address", NotifySealing.AddressContext));
        var facts = Facts(breach);
        var content = new MailContent
        {
            Subject = $"You were found in a new breach: {breach.Title}",
            Preheader = $"Your address is in the {breach.Title} breach. Here is what was exposed and what to do.",
            Heading = $"Your address is in the {breach.Title} breach",
            Intro =
            [
                $"Leakwatch has just added the {breach.Title} breach, and the address this mail was sent to is in it.",
                "This is what the breach exposed, and what you can do about it.",
            ],
            Breach = facts,
            Advice = ExposureAdvice.For(breach.DataClasses),
            Footer = "You get this mail because you subscribed this address to Leakwatch breach alerts.",
            UnsubscribeUrl = UnsubscribeUrl(_sealing.Tokens.UnsubscribeToken(subscription.MatchKey)),
        };
        problem = null;
        return (address, content);
    }

    private (string, MailContent)? LinkMail(OutboxItem row, out string? problem)
    {
        if (row.SealedPayload is null)
        {
            // Delivered rows drop their payload; a replayed verification mail has nothing left to send.
            return Fail("the row has no payload (already delivered, or replayed)", out problem);
        }

        var payload = MailPayload.Open(_sealing, row.SealedPayload, row.MessageId);
        var token = Uri.EscapeDataString(payload.Token);
        MailContent content;
        if (row.Event == NotifyEvents.SubscriptionVerify)
        {
            content = new MailContent
            {
                Subject = "Confirm your Leakwatch alerts",
                Preheader = "One click, and Leakwatch tells you when this address turns up in a new breach.",
                Heading = "Confirm your breach alerts",
                Intro = ["Someone, hopefully you, asked Leakwatch to send a mail to this address whenever it turns up in a newly added breach."],
                Action = new MailAction("Confirm my alerts", $"{_options.PublicUrl}/subscriptions/verify?token={token}"),
                Notes =
                [
                    "The link is valid for 24 hours and works once.",
                    "If it was not you, ignore this mail: nothing is sent to this address without the confirmation.",
                ],
                Footer = "You get this mail because this address was entered in Leakwatch's \"Notify me\" form.",
            };
        }
        else if (row.Event == NotifyEvents.SubscriptionActive)
        {
            var unsubscribe = _store.SubscriptionById(row.TargetId) is { Verified: not null } subscription
                ? _sealing.Tokens.UnsubscribeToken(subscription.MatchKey)
                : payload.Token;
            content = new MailContent
            {
                Subject = "You are already subscribed to Leakwatch alerts",
                Preheader = "This address already gets Leakwatch breach alerts; nothing has changed.",
                Heading = "You are already subscribed",
                Intro =
                [
                    "Someone, hopefully you, asked again for breach alerts for this address. It already gets them, so nothing has changed.",
                    "If you no longer want them, unsubscribe with the link below.",
                ],
                Footer = "You get this mail because this address is subscribed to Leakwatch breach alerts.",
                UnsubscribeUrl = UnsubscribeUrl(unsubscribe),
            };
        }
        else
        {
            content = new MailContent
            {
                Subject = "Confirm hiding your address from Leakwatch search",
                Preheader = "One click hides this address from Leakwatch's public search.",
                Heading = "Hide this address from public search",
                Intro =
                [
                    "Someone, hopefully you, asked Leakwatch to stop showing this address in its public search.",
                    "Once you confirm, searching for it answers as if it were in no breach.",
                ],
                Action = new MailAction("Hide my address", $"{_options.PublicUrl}/optout/verify?token={token}"),
                Notes =
                [
                    "The link works once.",
                    "If it was not you, ignore this mail: nothing changes without the confirmation.",
                ],
                Footer = "You get this mail because this address was entered in Leakwatch's opt-out form.",
            };
        }

        problem = null;
        return (payload.To, content);
    }

    /// <summary>The breach as both breach mails show it: dates in words, counts grouped, the description as text, and
    /// the link to its public report.</summary>
    private BreachFacts Facts(Breach breach) => new(
        breach.Title,
        breach.BreachDate.ToString("d MMMM yyyy", CultureInfo.InvariantCulture),
        breach.AddedDate.ToString("d MMMM yyyy", CultureInfo.InvariantCulture),
        breach.PwnCount.ToString("N0", CultureInfo.InvariantCulture),
        breach.DataClasses,
        MailText.FromHtml(breach.Description),
        $"{_options.PublicUrl}/breaches/{Uri.EscapeDataString(breach.Name)}/report");

    /// <summary>The link that proves control of a domain (docs/organisations.md); its page asks before it verifies.</summary>
    private (string, MailContent)? DomainMail(OutboxItem row, out string? problem)
    {
        if (row.SealedPayload is null)
        {
            return Fail("the row has no payload (already delivered, or replayed)", out problem);
        }

        var payload = MailPayload.Open(_sealing, row.SealedPayload, row.MessageId);
        var domain = payload.To[(payload.To.LastIndexOf('@') + 1)..];
        var content = new MailContent
        {
            Subject = $"Confirm that Leakwatch may search {domain}",
            Preheader = $"One click proves that you control {domain} for a Leakwatch API key.",
            Heading = $"Confirm control of {domain}",
            Intro =
            [
                $"A Leakwatch API key holder asked to verify {domain}, so that they can search which addresses on it are in breaches.",
                "This mail went to a role address of the domain. Confirm only if that request came from your organisation.",
            ],
            Action = new MailAction("Verify the domain", $"{_options.PublicUrl}/api/domains/verify?token={Uri.EscapeDataString(payload.Token)}"),
            Notes =
            [
                "The link is valid for 24 hours and works once.",
                "If you did not expect this, ignore this mail: nothing changes without the confirmation.",
            ],
            Footer = $"You get this mail because someone asked Leakwatch to verify control of {domain}.",
        };
        problem = null;
        return (payload.To, content);
    }

    /// <summary>
    /// A domain alert (docs/organisations.md, "Domain alerts"), to the role address that proved the domain: the breach
    /// and how many addresses on the domain it holds, never an address; the aliases are fetched from
    /// <c>breacheddomain</c> with the key. No List-Unsubscribe: it is an alert to a domain's operator, not a list; it
    /// stops when the key removes the domain (the mail says so).
    /// </summary>
    private (string, MailContent)? DomainBreachMail(OutboxItem row, out string? problem)
    {
        if (row.SealedPayload is null)
        {
            return Fail("the row has no payload (already delivered, or replayed)", out problem);
        }

        var payload = DomainAlertPayload.Open(_sealing, row.SealedPayload, row.MessageId);
        if (_store.DomainAlertAddress((int)row.TargetId, payload.Domain) is not { } sealedAddress)
        {
            return Fail("the domain is no longer verified by mail for this key", out problem);
        }

        if (FindBreach(row.BreachId) is not { } breach)
        {
            return Fail($"breach {row.BreachId.ToString(CultureInfo.InvariantCulture)} is no longer in the catalogue", out problem);
        }

        var address = Encoding.UTF8.GetString(_sealing.Address.Open(sealedAddress, "domain alert address", NotifySealing.AddressContext));
        var count = payload.Count.ToString("N0", CultureInfo.InvariantCulture);
        var addresses = payload.Count == 1 ? "address" : "addresses";
        var aliasesUrl = $"{_options.PublicUrl}/api/v3/breacheddomain/{Uri.EscapeDataString(payload.Domain)}";
        var content = new MailContent
        {
            Subject = $"{count} {addresses} on {payload.Domain} {(payload.Count == 1 ? "is" : "are")} in {breach.Title}",
            Preheader = $"Leakwatch has added the {breach.Title} breach; it holds {count} {addresses} on {payload.Domain}.",
            Heading = $"{count} {addresses} on {payload.Domain} in {breach.Title}",
            Intro =
            [
                $"Leakwatch has just added the {breach.Title} breach, and it holds {count} distinct {addresses} on {payload.Domain}, a domain your API key has verified.",
                "This mail names no address. Fetch them with your API key from the domain search endpoint below.",
            ],
            Breach = Facts(breach),
            Action = new MailAction("Fetch the affected aliases (API key required)", aliasesUrl),
            Notes = [$"GET {aliasesUrl} with your API key in the hibp-api-key header answers each alias with its breaches."],
            Advice = ExposureAdvice.For(breach.DataClasses),
            Footer = $"You get this mail because this address proved control of {payload.Domain} for a Leakwatch API key. It stops when the key removes the domain.",
        };
        problem = null;
        return (address, content);
    }

    private string UnsubscribeUrl(string token) => $"{_options.PublicUrl}/subscriptions/unsubscribe?token={Uri.EscapeDataString(token)}";

    /// <summary>The breach by id, from a copy of the catalogue read at most once a minute (and again on a miss).</summary>
    private Breach? FindBreach(int id)
    {
        lock (_breachLock)
        {
            var now = _time.GetUtcNow();
            if (_breaches.TryGetValue(id, out var breach) && now - _breachesRead < BreachCacheAge)
            {
                return breach;
            }

            var all = new Dictionary<int, Breach>();
            foreach (var b in _store.AllBreaches())
            {
                all[b.Id] = b;
            }

            _breaches = all;
            _breachesRead = now;
            return all.GetValueOrDefault(id);
        }
    }

    private static (string, MailContent)? Fail(string reason, out string? problem)
    {
        problem = reason;
        return null;
    }
}
