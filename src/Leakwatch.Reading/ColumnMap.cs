using Leakwatch.Core;

namespace Leakwatch.Reading;

/// <summary>Names and roles of a file's columns, from its header, from --columns, or sniffed from content.</summary>
public sealed class ColumnMap
{
    public static readonly ColumnMap Empty = new([]);

    private readonly int[] _firstByRole;
    private readonly int[][] _allByRole;

    public ColumnMap(IReadOnlyList<DumpColumn> columns)
    {
        Columns = columns;
        _firstByRole = new int[Enum.GetValues<FieldRole>().Length];
        Array.Fill(_firstByRole, -1);
        for (var i = columns.Count - 1; i >= 0; i--)
        {
            _firstByRole[(int)columns[i].Role] = i;
        }

        var all = new List<int>[_firstByRole.Length];
        for (var i = 0; i < columns.Count; i++)
        {
            (all[(int)columns[i].Role] ??= []).Add(i);
        }

        _allByRole = new int[all.Length][];
        for (var r = 0; r < all.Length; r++)
        {
            _allByRole[r] = all[r] is { } list ? [.. list] : [];
        }
    }

    public IReadOnlyList<DumpColumn> Columns { get; }

    /// <summary>Index of the first column with this role, or -1.</summary>
    public int First(FieldRole role) => _firstByRole[(int)role];

    /// <summary>Indexes of every column with this role, in column order (`email`, `work_email`, `email2`, …).</summary>
    public ReadOnlySpan<int> All(FieldRole role) => _allByRole[(int)role];

    public bool Has(FieldRole role) => _firstByRole[(int)role] >= 0;
}
