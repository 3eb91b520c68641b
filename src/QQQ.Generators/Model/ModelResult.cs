using QQQ.Generators.Diagnostics;

namespace QQQ.Generators.Model;

/// <summary>What one manifest yields: a class to emit (null when the manifest is rejected) and diagnostics.</summary>
internal sealed record ModelResult(string Path, ModelSpec? Spec, EquatableArray<DiagnosticInfo> Diagnostics);
