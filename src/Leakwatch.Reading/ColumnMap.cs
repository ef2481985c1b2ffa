using Leakwatch.Core;

namespace Leakwatch.Reading;

/// <summary>Names and roles of a file's columns, from its header, from --columns, or sniffed from content.</summary>
public sealed class ColumnMap
{
    public static readonly ColumnMap Empty = new([]);

    private readonly int[] _firstByRole;

    public ColumnMap(IReadOnlyList<DumpColumn> columns)
    {
        Columns = columns;
        _firstByRole = new int[Enum.GetValues<FieldRole>().Length];
        Array.Fill(_firstByRole, -1);
        for (var i = columns.Count - 1; i >= 0; i--)
        {
            _firstByRole[(int)columns[i].Role] = i;
        }
    }

    public IReadOnlyList<DumpColumn> Columns { get; }

    /// <summary>Index of the first column with this role, or -1.</summary>
    public int First(FieldRole role) => _firstByRole[(int)role];

    public bool Has(FieldRole role) => _firstByRole[(int)role] >= 0;
}
