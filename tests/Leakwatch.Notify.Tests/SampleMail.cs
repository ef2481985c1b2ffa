using MimeKit;

namespace Leakwatch.Notify.Tests;

/// <summary>Writes a rendered mail to <c>artifacts/notification-sample.eml</c> at the repository root, to open in a
/// real mail client.</summary>
internal static class SampleMail
{
    public const string FileName = "notification-sample.eml";

    public static string Write(MimeMessage message)
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Leakwatch.slnx")))
        {
            dir = dir.Parent;
        }

        var artifacts = Path.Combine(dir?.FullName ?? throw new DirectoryNotFoundException("Leakwatch.slnx not found above the test's directory"), "artifacts");
        Directory.CreateDirectory(artifacts);
        var path = Path.Combine(artifacts, FileName);
        message.WriteTo(path);
        return path;
    }
}
