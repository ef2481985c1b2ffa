using nietras.SeparatedValues;

namespace Leakwatch.Reading;

/// <summary>What sniffing decided about a delimited file: its Sep options, header line and column map.</summary>
internal sealed record DelimitedLayout(DumpFileInfo Info, SepReaderOptions SepOptions, long HeaderLine, ColumnMap Map);
