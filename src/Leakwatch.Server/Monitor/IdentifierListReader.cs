using System.Text;
using System.Text.Json;

namespace Leakwatch.Server.Monitor;

/// <summary>
/// Reads an uploaded list of identifiers as it streams in, never the whole body at once: a JSON array of strings
/// (<c>application/json</c>), or one identifier a line (anything else; blank lines and lines starting with <c>#</c>
/// are skipped). Each entry goes to <c>entry(text, lineNumber)</c>, where the number is the line, or for JSON the
/// 1-based position in the array. A line longer than <see cref="MaxEntry"/> characters is passed as empty (invalid)
/// without being held whole.
/// </summary>
internal static class IdentifierListReader
{
    public const int MaxEntry = 1024;

    /// <summary>Reads entries until the body ends or <paramref name="entry"/> returns false; throws
    /// <see cref="JsonException"/> for a body that is not a JSON array of strings.</summary>
    public static async Task ReadAsync(Stream body, bool json, Func<string, long, bool> entry, CancellationToken ct)
    {
        if (json)
        {
            long n = 0;
            await foreach (var item in JsonSerializer.DeserializeAsyncEnumerable(body, MonitorJson.Default.String, ct))
            {
                n++;
                if (!entry(item ?? "", n))
                {
                    return;
                }
            }

            return;
        }

        using var reader = new StreamReader(body, Encoding.UTF8, detectEncodingFromByteOrderMarks: true, bufferSize: 16 * 1024, leaveOpen: true);
        var buffer = new char[16 * 1024];
        var line = new StringBuilder(64);
        var tooLong = false;
        long number = 1;
        int read;
        while ((read = await reader.ReadAsync(buffer, ct)) > 0)
        {
            for (var i = 0; i < read; i++)
            {
                var c = buffer[i];
                if (c == '\n')
                {
                    if (!Emit(line, tooLong, number, entry))
                    {
                        return;
                    }

                    line.Clear();
                    tooLong = false;
                    number++;
                }
                else if (line.Length < MaxEntry)
                {
                    line.Append(c);
                }
                else
                {
                    tooLong = true;
                }
            }
        }

        Emit(line, tooLong, number, entry);
    }

    private static bool Emit(StringBuilder line, bool tooLong, long number, Func<string, long, bool> entry)
    {
        if (tooLong)
        {
            return entry("", number);
        }

        var text = line.ToString().Trim();
        return text.Length == 0 || text[0] == '#' || entry(text, number);
    }
}
