namespace Leakwatch.Core;

/// <summary>
/// What a person should do about what was exposed, as data: the CLI's <c>check</c>, <c>GET /api/advice</c> and the
/// page all read this one table. The page matches it in the browser, so the server never learns which rules applied.
/// Most urgent first.
/// </summary>
public static class ExposureAdvice
{
    public const int Version = 1;

    public static IReadOnlyList<AdviceRule> Rules { get; } =
    [
        new("password", [[DataClass.Passwords], [DataClass.PasswordHashes]],
            "Your password is out there",
            [
                "Change it everywhere you used it, starting with your email and bank, and never use it again.",
                "Use a password manager so that every site gets its own long, random password.",
                "Turn on two-factor authentication (2FA), with an authenticator app or security key where offered.",
            ]),
        new("phone", [[DataClass.PhoneNumbers]],
            "Your phone number can be used against you",
            [
                "Ask your mobile carrier for a SIM-swap or port-out lock (a PIN before your number can move to a new SIM).",
                "Expect smishing: texts about parcels, banks or prizes that use your details. Don't tap their links; go to the company's site yourself.",
                "Move two-factor sign-in away from SMS codes to an authenticator app or security key where you can.",
            ]),
        new("email", [[DataClass.EmailAddresses]],
            "Expect phishing, and stop password reuse",
            [
                "Be wary of emails that quote the breached service or your details: phishing uses leaked data to look genuine. Never sign in from a link in an email.",
                "Attackers try leaked email and password pairs on other sites (credential stuffing): give every account its own password.",
                "Turn on two-factor authentication on your email account first; it can reset everything else.",
            ]),
        new("identity", [[DataClass.Names, DataClass.DatesOfBirth]],
            "Your name and birthdate make identity theft easier",
            [
                "Place a credit freeze with the credit bureaus so that nobody can open credit in your name; it is free in many countries.",
                "Check bank and credit statements for accounts or payments you don't recognise.",
                "Don't use your birthdate as a PIN, a password or a security answer.",
            ]),
        new("location", [[DataClass.GeographicLocations], [DataClass.PhysicalAddresses]],
            "Your location was exposed",
            [
                "Think about physical safety: be wary of unexpected visitors, deliveries or messages that quote where you live.",
                "If you are at risk from someone (stalking, domestic abuse), tell local support services or the police that your location leaked.",
            ]),
    ];

    /// <summary>The rules that apply to <paramref name="exposed"/> data classes (any case), in table order.</summary>
    public static IReadOnlyList<AdviceRule> For(IEnumerable<string> exposed)
    {
        var set = new HashSet<string>(exposed, StringComparer.OrdinalIgnoreCase);
        return Rules.Where(r => r.When.Any(all => all.All(set.Contains))).ToList();
    }
}
