namespace Leakwatch.Ingest;

/// <summary>Rows handed from the reader thread to normalization workers: the few fields the index needs,
/// copied into one pooled char buffer (the reader's spans do not outlive its callback).</summary>
internal sealed class RowBatch
{
    public const int Capacity = 4096;
    public const int FieldsPerRow = 6; // email, phone, birthdate, gender, password and website (stealer logs only)
    public const int Email = 0, Phone = 1, BirthDate = 2, Gender = 3, Password = 4, Website = 5;

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

    /// <summary>Adds another cell to the field just <see cref="Put"/> for this row, joined with
    /// <see cref="Leakwatch.Reading.IdentifierCells.CellJoiner"/> so that splitting the field gives every cell's parts.</summary>
    public void Append(int field, ReadOnlySpan<char> value)
    {
        var at = Count * FieldsPerRow + field;
        if (Lengths[at] == 0)
        {
            Put(field, value);
            return;
        }

        if (CharCount + 1 + value.Length > Chars.Length)
        {
            Array.Resize(ref Chars, Math.Max(Chars.Length * 2, CharCount + 1 + value.Length));
        }

        Chars[CharCount] = Leakwatch.Reading.IdentifierCells.CellJoiner;
        value.CopyTo(Chars.AsSpan(CharCount + 1));
        Lengths[at] += 1 + value.Length;
        CharCount += 1 + value.Length;
    }

    public ReadOnlySpan<char> Get(int row, int field) =>
        Chars.AsSpan(Starts[row * FieldsPerRow + field], Lengths[row * FieldsPerRow + field]);
}
