namespace Leakwatch.Ingest;

/// <summary>Rows handed from the reader thread to normalization workers: the few fields the index needs,
/// copied into one pooled char buffer (the reader's spans do not outlive its callback).</summary>
internal sealed class RowBatch
{
    public const int Capacity = 4096;
    public const int FieldsPerRow = 4; // email, phone, birthdate, gender
    public const int Email = 0, Phone = 1, BirthDate = 2, Gender = 3;

    public char[] Chars = new char[256 * 1024];
    public int CharCount;
    public readonly int[] Starts = new int[Capacity * FieldsPerRow];
    public readonly int[] Lengths = new int[Capacity * FieldsPerRow];
    /// <summary>Unkeyed row digests (memory only); workers turn them into keyed fingerprints.</summary>
    public readonly UInt128[] RowDigests = new UInt128[Capacity];
    public int Count;

    public bool IsFull => Count == Capacity;

    public void Reset()
    {
        Count = 0;
        CharCount = 0;
    }

    public void PutDigest(UInt128 digest) => RowDigests[Count] = digest;

    public void Put(int field, ReadOnlySpan<char> value)
    {
        if (CharCount + value.Length > Chars.Length)
        {
            Array.Resize(ref Chars, Math.Max(Chars.Length * 2, CharCount + value.Length));
        }

        value.CopyTo(Chars.AsSpan(CharCount));
        Starts[Count * FieldsPerRow + field] = CharCount;
        Lengths[Count * FieldsPerRow + field] = value.Length;
        CharCount += value.Length;
    }

    public ReadOnlySpan<char> Get(int row, int field) =>
        Chars.AsSpan(Starts[row * FieldsPerRow + field], Lengths[row * FieldsPerRow + field]);
}
