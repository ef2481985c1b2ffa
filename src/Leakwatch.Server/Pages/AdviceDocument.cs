using Leakwatch.Core;

namespace Leakwatch.Server.Pages;

/// <summary><c>GET /api/advice</c>: <see cref="ExposureAdvice.Rules"/> with a version.</summary>
public sealed record AdviceDocument(int Version, IReadOnlyList<AdviceRule> Rules);
