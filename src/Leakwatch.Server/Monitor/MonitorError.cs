namespace Leakwatch.Server.Monitor;

/// <summary>An error of the monitoring API: one line naming the field or the limit, never an identifier.</summary>
public sealed record MonitorError(int StatusCode, string Message);
