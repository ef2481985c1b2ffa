using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Leakwatch.Privacy.Tests;

public sealed class KeyFileTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("lw-keyfile-").FullName;

    private string PathOf(string name) => Path.Combine(_dir, name);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static void AssertOwnerOnly(string path) =>
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));

    [Fact]
    public void Load_Version1File_LoadsAndGainsOprfKeyOnFirstNeedKeeping0600()
    {
        var path = PathOf("v1.key");
        var indexKey = RandomNumberGenerator.GetBytes(16);
        File.WriteAllText(path, $$"""{"version":1,"indexKey":"{{Convert.ToBase64String(indexKey)}}","created":"2025-01-01T00:00:00+00:00"}""");
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);

        var keys = KeyFile.Load(path);
        var indexKeyId = keys.KeyId;
        Assert.Null(keys.ActiveOprfKey);
        Assert.Contains("\"version\":1", File.ReadAllText(path).Replace(" ", "", StringComparison.Ordinal), StringComparison.Ordinal);

        var oprf = keys.EnsureActiveOprfKey();
        AssertOwnerOnly(path);
        Assert.False(File.Exists(path + ".tmp"));
        var json = JsonDocument.Parse(File.ReadAllText(path)).RootElement;
        Assert.Equal(2, json.GetProperty("version").GetInt32());
        Assert.Equal(Convert.ToBase64String(indexKey), json.GetProperty("indexKey").GetString());

        var again = KeyFile.Load(path);
        Assert.Equal(indexKeyId, again.KeyId);
        Assert.Equal(oprf.KeyId, again.ActiveOprfKey!.KeyId);
        var written = File.GetLastWriteTimeUtc(path);
        Assert.Equal(oprf.KeyId, again.EnsureActiveOprfKey().KeyId); // the key is made once
        Assert.Equal(written, File.GetLastWriteTimeUtc(path));
    }

    [Fact]
    public void OprfKeyId_Is16HexOfSha256OfLabelAndPublicKey()
    {
        var key = OprfServerKey.FromSeed(new byte[32]);
        var expected = Convert.ToHexStringLower(SHA256.HashData([.. "leakwatch/private/v1/key-id"u8, .. key.PublicKey]).AsSpan(0, 8));
        Assert.Equal(expected, key.KeyId);
        Assert.Matches("^[0-9a-f]{16}$", key.KeyId);

        // The key pair is RFC 9497 DeriveKeyPair(seed, "leakwatch/private/v1").
        var pair = Oprf.OprfSuite.DeriveKeyPair(new byte[32], Encoding.ASCII.GetBytes("leakwatch/private/v1"));
        Assert.Equal(pair.PublicKey, key.PublicKey);
    }

    [Fact]
    public void Rotation_PendingKeyThenPromote_ActiveChangesAndBothFindableUntilPromoted()
    {
        var path = PathOf("rot.key");
        var keys = KeyFile.Create(path);
        AssertOwnerOnly(path);
        var first = keys.EnsureActiveOprfKey();
        var pending = keys.CreatePendingOprfKey();
        Assert.NotEqual(first.KeyId, pending.KeyId);
        Assert.Equal(pending.KeyId, keys.CreatePendingOprfKey().KeyId); // an interrupted rotation resumes with it

        var reloaded = KeyFile.Load(path);
        Assert.Equal(first.KeyId, reloaded.FindOprfKey(first.KeyId)!.KeyId);
        Assert.Equal(pending.KeyId, reloaded.FindOprfKey(pending.KeyId)!.KeyId);

        reloaded.PromotePendingOprfKey();
        var after = KeyFile.Load(path);
        Assert.Equal(pending.KeyId, after.ActiveOprfKey!.KeyId);
        Assert.Null(after.PendingOprfKey);
        Assert.Null(after.FindOprfKey(first.KeyId));
        AssertOwnerOnly(path);
    }

    [Fact]
    public void Load_KeyIdNotMatchingSeed_FailsNamingTheField()
    {
        var path = PathOf("bad.key");
        var keys = KeyFile.Create(path);
        keys.EnsureActiveOprfKey();
        var text = File.ReadAllText(path);
        var id = JsonDocument.Parse(text).RootElement.GetProperty("oprf").GetProperty("active").GetProperty("keyId").GetString()!;
        File.WriteAllText(path, text.Replace(id, "0000000000000000", StringComparison.Ordinal));
        var e = Assert.Throws<KeyFileException>(() => KeyFile.Load(path));
        Assert.Contains("oprf.active.keyId", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void Evaluate_ThroughKey_EqualsClientFinalize()
    {
        var key = OprfServerKey.Generate();
        var input = "email:someone@example.com"u8.ToArray();
        var (blind, blinded) = Oprf.OprfSuite.Blind(input);
        var evaluated = new byte[32];
        key.BlindEvaluate(blinded, evaluated);
        var y = new byte[64];
        key.Evaluate(input, y);
        Assert.Equal(y, Oprf.OprfSuite.Finalize(input, blind, evaluated));
    }
    [Fact]
    public void Load_ReadsEveryFieldTheWriterWrites_AndSkipsUnknownOnes()
    {
        var path = PathOf("full.key");
        var keys = KeyFile.Create(path);
        var active = keys.EnsureActiveOprfKey();
        var pending = keys.CreatePendingOprfKey();
        var again = KeyFile.Load(path);
        Assert.Equal((keys.KeyId, active.KeyId, pending.KeyId), (again.KeyId, again.ActiveOprfKey!.KeyId, again.PendingOprfKey!.KeyId));
        Assert.Equal(active.PublicKey, again.ActiveOprfKey.PublicKey);

        // A newer writer's additions, anywhere in the tree, are skipped.
        var node = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(path))!;
        node["comment"] = new System.Text.Json.Nodes.JsonArray(1, "x", null);
        node["oprf"]!["history"] = new System.Text.Json.Nodes.JsonObject { ["a"] = 1 };
        node["oprf"]!["active"]!["algorithm"] = "ristretto255-SHA512";
        File.WriteAllText(path, node.ToJsonString(), new UTF8Encoding(encoderShouldEmitUTF8Identifier: true));
        var extended = KeyFile.Load(path);
        Assert.Equal((keys.KeyId, active.KeyId, pending.KeyId), (extended.KeyId, extended.ActiveOprfKey!.KeyId, extended.PendingOprfKey!.KeyId));
    }

    private const string Breakers = "{}[],:x\"";

    private static bool IsInsideIndexKeyValue(byte[] file, int at)
    {
        var text = Encoding.UTF8.GetString(file);
        var start = text.IndexOf("\"indexKey\"", StringComparison.Ordinal);
        start = text.IndexOf('"', text.IndexOf(':', start) + 1) + 1;
        var end = text.IndexOf('"', start);
        return at >= start && at < end;
    }

    [FsCheck.Xunit.Property(MaxTest = 100)]
    public bool Load_AnyDamagedKeyFile_FailsWithOneLineNamingThePath(FsCheck.PositiveInt cut, byte junk, bool replace)
    {
        var path = PathOf($"damaged-{Guid.NewGuid():N}.key");
        var keys = KeyFile.Create(path);
        var oprf = keys.EnsureActiveOprfKey();
        var bytes = File.ReadAllBytes(path);
        var at = cut.Get % bytes.Length;
        // Either a strict prefix of the file, or one byte replaced by a byte that breaks its JSON.
        var damaged = replace ? [.. bytes[..at], (byte)Breakers[junk % Breakers.Length], .. bytes[(at + 1)..]] : bytes[..at];
        File.WriteAllBytes(path, damaged);
        try
        {
            var loaded = KeyFile.Load(path);
            // A replacement inside a string value (e.g. a base64 seed) can leave valid JSON that decodes. A truncated
            // file never loads. A loading one must keep what the key checks guard: the OPRF key is the original (its
            // id is checked against its seed), and the index key changes only when the byte hit its own value, and
            // then its KeyId changes too, which the data dir's manifest refuses as a mismatched key.
            var indexKeyIntact = loaded.KeyId == keys.KeyId || IsInsideIndexKeyValue(bytes, at);
            return replace && indexKeyIntact && loaded.ActiveOprfKey is { } active
                && active.KeyId == oprf.KeyId && active.PublicKey.SequenceEqual(oprf.PublicKey);
        }
        catch (KeyFileException e)
        {
            return e.Message.StartsWith(path + ": ", StringComparison.Ordinal) && !e.Message.Contains('\n', StringComparison.Ordinal);
        }
    }
}
