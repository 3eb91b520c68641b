using Microsoft.CodeAnalysis;

namespace QQQ.Generators.Diagnostics;

/// <summary>The diagnostics the model generator reports, all located in the manifest file.</summary>
internal static class Descriptors
{
    private const string Category = "QQQ";

    public static readonly DiagnosticDescriptor InvalidManifest = new(
        id: "QQQ101",
        title: "Invalid QQQ model manifest",
        messageFormat: "Invalid QQQ model manifest: {0}; no model class is generated for it",
        category: Category,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: "A .qqq.json manifest must be the JSON that the QQQ quantizer writes beside its artifact. Rebuild the artifact, or fix the field named in the message.");

    public static readonly DiagnosticDescriptor NewerFormatVersion = new(
        id: "QQQ102",
        title: "QQQ model manifest is newer than this generator",
        messageFormat: "The QQQ model manifest has format_version {0}, but this generator reads format versions up to {1}; update the QQQ packages",
        category: Category,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor NameSanitized = new(
        id: "QQQ103",
        title: "Model class name or namespace changed to a valid C# name",
        messageFormat: "The {0} '{1}' {2}; using '{3}' instead",
        category: Category,
        defaultSeverity: DiagnosticSeverity.Warning,
        isEnabledByDefault: true,
        description: "Set the QQQClassName or QQQNamespace metadata on the manifest's AdditionalFiles item to choose a valid name yourself.");

    public static readonly DiagnosticDescriptor DuplicateClassName = new(
        id: "QQQ104",
        title: "Two QQQ model manifests generate the same class",
        messageFormat: "The model class '{0}' is also generated from {1}; give each manifest its own QQQClassName or QQQNamespace metadata (neither class is generated)",
        category: Category,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: "Class names are compared ignoring case, because the generated files would otherwise collide on case-insensitive file systems.");

    public static readonly DiagnosticDescriptor UnsupportedQuantization = new(
        id: "QQQ105",
        title: "Unsupported QQQ quantization",
        messageFormat: "Unsupported quantization: {0}; no model class is generated for it",
        category: Category,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: "The runtime supports QQQ W4A8 in the qqq-marlin or natural layout, with per-channel weight scales (group_size -1) or per-group scales with groups of 32, 64 or 128 that divide hidden_size and intermediate_size.");
}
