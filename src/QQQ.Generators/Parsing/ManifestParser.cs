using System.Collections.Generic;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;
using QQQ.Generators.Diagnostics;
using QQQ.Generators.Json;
using QQQ.Generators.Model;
using QQQ.Generators.Naming;

namespace QQQ.Generators.Parsing;

/// <summary>
/// Turns one <c>.qqq.json</c> manifest (the JSON schema of QQQ.Formats' <c>ArtifactManifest</c>) into the spec
/// of its model class, or into diagnostics. Never throws for bad input; a rejected manifest yields no spec.
/// </summary>
internal static class ManifestParser
{
    public const string FormatName = "qqq-artifact";
    public const int SupportedFormatVersion = 1;
    public const string ManifestSuffix = ".qqq.json";

    public static ModelResult Parse(ManifestFile file)
    {
        if (file.Text is null)
            return Rejected(file, DiagnosticInfo.AtFileStart(Descriptors.InvalidManifest, file.Path, "the file could not be read"));
        var source = SourceText.From(file.Text);
        try
        {
            return Read(file, source, JsonParser.Parse(file.Text));
        }
        catch (JsonSyntaxException e)
        {
            var span = new TextSpan(e.Offset, e.Offset < file.Text.Length ? 1 : 0);
            return Rejected(file, Located(Descriptors.InvalidManifest, file.Path, source, span, "the file is not valid JSON: " + e.Message));
        }
        catch (ManifestException e)
        {
            var span = TextSpan.FromBounds(e.Node.Start, e.AtStartOnly ? e.Node.Start + 1 : e.Node.End);
            return Rejected(file, Located(e.Descriptor, file.Path, source, span, e.Arguments));
        }
    }

    private static ModelResult Read(ManifestFile file, SourceText source, JsonNode root)
    {
        var manifest = new JsonObjectReader(
            root as JsonObject ?? throw new ManifestException(Descriptors.InvalidManifest, root, atStartOnly: false,
                "the manifest must be a JSON object, but is " + root.Description),
            path: "");
        ReadFormat(manifest);

        manifest.RequiredString("tool_version");
        var name = manifest.RequiredString("name");
        var architecture = ArchitectureSection.Read(manifest.RequiredObject("architecture"));
        var quantization = QuantizationSection.Read(manifest.RequiredObject("quantization"));
        var tokenizer = manifest.RequiredObject("tokenizer");
        tokenizer.RequiredString("kind");
        tokenizer.RequiredString("file_name");
        tokenizer.RequiredString("sha256");
        ReadCalibration(manifest.OptionalObject("calibration"));
        manifest.RequiredString("source_sha256");
        manifest.RequiredString("settings_sha256");

        architecture.Validate();
        var granularity = quantization.Resolve(architecture);

        var diagnostics = new List<DiagnosticInfo>();
        var nameNode = manifest.NodeOf("name");
        var nameSpan = TextSpan.FromBounds(nameNode.Start, nameNode.End);
        var (ns, className) = ModelNaming.Resolve(file, name, diagnostics,
            nameLocation: (descriptor, arguments) => Located(descriptor, file.Path, source, nameSpan, arguments));
        var fileName = System.IO.Path.GetFileName(file.Path);
        var spec = new ModelSpec(
            ns, className, name,
            ArtifactFileName: fileName.Substring(0, fileName.Length - ".json".Length),
            architecture.ModelType, architecture.HiddenSize, architecture.IntermediateSize, architecture.LayerCount,
            architecture.HeadCount, architecture.KeyValueHeadCount, architecture.VocabSize, architecture.ContextLength,
            granularity);
        return new ModelResult(file.Path, spec, new EquatableArray<DiagnosticInfo>(diagnostics));
    }

    /// <summary>Checked first: a newer format may change everything else.</summary>
    private static void ReadFormat(JsonObjectReader manifest)
    {
        var format = manifest.RequiredString("format");
        if (format != FormatName)
            throw new ManifestException(Descriptors.InvalidManifest, manifest.NodeOf("format"), atStartOnly: false,
                $"property 'format' is '{format}', not '{FormatName}', so this is not a QQQ artifact manifest");
        var version = manifest.OptionalInt("format_version", SupportedFormatVersion);
        if (version > SupportedFormatVersion)
            throw new ManifestException(Descriptors.NewerFormatVersion, manifest.NodeOf("format_version"), atStartOnly: false,
                Invariant.Text(version), Invariant.Text(SupportedFormatVersion));
        if (version < 1)
            throw new ManifestException(Descriptors.InvalidManifest, manifest.NodeOf("format_version"), atStartOnly: false,
                $"property 'format_version' is {Invariant.Text(version)}, but versions start at 1");
    }

    private static void ReadCalibration(JsonObjectReader? calibration)
    {
        if (calibration is null) return;
        var files = calibration.RequiredArray("files");
        for (var i = 0; i < files.Items.Count; i++)
        {
            var path = calibration.PathOf("files") + "[" + Invariant.Text(i) + "]";
            var entry = files.Items[i] as JsonObject
                ?? throw new ManifestException(Descriptors.InvalidManifest, files.Items[i], atStartOnly: false,
                    $"'{path}' must be an object, but is {files.Items[i].Description}");
            // CalibrationFile is a positional record: System.Text.Json does not require constructor parameters.
            var reader = new JsonObjectReader(entry, path);
            reader.OptionalString("name", "");
            reader.OptionalString("sha256", "");
        }
        calibration.RequiredInt("samples");
        calibration.RequiredInt("sequence_length");
        calibration.RequiredInt("seed");
    }

    private static DiagnosticInfo Located(DiagnosticDescriptor descriptor, string path, SourceText source, TextSpan span, params string[] arguments) =>
        new(descriptor, path, span, source.Lines.GetLinePositionSpan(span), new EquatableArray<string>(arguments));

    private static ModelResult Rejected(ManifestFile file, DiagnosticInfo diagnostic) =>
        new(file.Path, null, new EquatableArray<DiagnosticInfo>(new[] { diagnostic }));
}
