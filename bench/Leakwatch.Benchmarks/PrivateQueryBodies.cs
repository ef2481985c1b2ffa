using System.Buffers;
using System.Text.Json;
using Leakwatch.Core;
using Leakwatch.Privacy.Buckets;

namespace Leakwatch.Benchmarks;

/// <summary>
/// Bodies for <c>POST /api/private/evaluate</c> made through the protocol's own client at run time (canonicalize,
/// bucket, blind with a fresh scalar), so a load generator sends what a real client would and follows any change
/// of the protocol's inputs or bucketing. Used by bench/soak.sh, whose wrk replays them.
/// </summary>
public static class PrivateQueryBodies
{
    /// <summary>One JSON body per line into <paramref name="outFile"/>, for each account of
    /// <paramref name="accountsFile"/> that canonicalizes; <paramref name="configFile"/> is the server's
    /// <c>/api/private/config</c> answer. Returns the process exit code.</summary>
    public static int Write(string configFile, string accountsFile, string outFile)
    {
        using var config = JsonDocument.Parse(File.ReadAllBytes(configFile));
        var sections = new List<(int Code, int Bits)>();
        foreach (var section in config.RootElement.GetProperty("sections").EnumerateArray())
        {
            var code = section.GetProperty("kind").GetString() == "email" ? 0 : section.GetProperty("callingCode").GetInt32();
            sections.Add((code, section.GetProperty("bucketBits").GetInt32()));
        }

        var layout = PrivateLookupClient.ReadLayout(sections);
        var phones = new PhoneNormalizer(null);
        var written = 0;
        using (var output = new StreamWriter(outFile))
        {
            var buffer = new ArrayBufferWriter<byte>(256);
            foreach (var account in File.ReadLines(accountsFile))
            {
                if (PrivateLookupClient.TryCanonicalize(account, phones) is not { } input)
                {
                    continue;
                }

                // A phone whose calling code the index has no section for is "not found" without a request.
                if (PrivateLookupClient.Prepare(input, layout) is not { } query)
                {
                    continue;
                }

                buffer.ResetWrittenCount();
                using (var w = new Utf8JsonWriter(buffer))
                {
                    w.WriteStartObject();
                    w.WriteNumber("bucket", query.Bucket);
                    w.WriteBase64String("blindedElement", query.BlindedElement);
                    w.WriteEndObject();
                }

                output.WriteLine(System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan));
                written++;
            }
        }

        Console.WriteLine($"{written} private query bodies ({layout.BucketCount} buckets)");
        return written > 0 ? 0 : 1;
    }
}
