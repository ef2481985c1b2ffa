namespace Leakwatch.Reading;

/// <summary>What sniffing decided about a JSON Lines file: its columns and their UTF-8 keys.</summary>
internal sealed record JsonLinesLayout(DumpFileInfo Info, ColumnMap Map, byte[][] Keys);
