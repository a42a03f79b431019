namespace Pocket.Cli.Report;

/// <summary>One picture of the report: its file name inside the report folder and the sentence under it.</summary>
public sealed record ReportFigure(string FileName, string Caption);
