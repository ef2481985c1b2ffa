namespace Leakwatch.Server;

/// <summary>One evaluation of a batch (<see cref="PrivateApi"/>): as the single form's body.</summary>
internal readonly record struct BatchItem(long Bucket, InlineElement Blinded, bool? Entries);
