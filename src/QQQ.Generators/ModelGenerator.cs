using System;
using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Text;
using QQQ.Generators.Diagnostics;
using QQQ.Generators.Emit;
using QQQ.Generators.Model;
using QQQ.Generators.Parsing;

namespace QQQ.Generators;

/// <summary>
/// Generates a strongly typed model class for each QQQ artifact manifest (<c>*.qqq.json</c> in
/// AdditionalFiles). Pipeline: manifest text and options, then an equatable spec or diagnostics per
/// manifest, then a check across manifests for duplicate class names, then one source file per model.
/// </summary>
[Generator(LanguageNames.CSharp)]
public sealed class ModelGenerator : IIncrementalGenerator
{
    private const string ClassNameMetadata = "build_metadata.AdditionalFiles.QQQClassName";
    private const string NamespaceMetadata = "build_metadata.AdditionalFiles.QQQNamespace";
    private const string RootNamespaceProperty = "build_property.RootNamespace";

    /// <inheritdoc />
    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
        var models = context.AdditionalTextsProvider
            .Where(static text => text.Path.EndsWith(ManifestParser.ManifestSuffix, StringComparison.OrdinalIgnoreCase))
            .Combine(context.AnalyzerConfigOptionsProvider)
            .Select(static (input, cancellationToken) => ReadManifest(input.Left, input.Right, cancellationToken))
            .WithTrackingName(TrackingNames.ManifestFiles)
            .Select(static (file, _) => ManifestParser.Parse(file))
            .WithTrackingName(TrackingNames.Models);

        var duplicates = models
            .Where(static result => result.Spec is not null)
            .Select(static (result, _) => new ModelIdentity(result.Spec!.FullName, result.Path))
            .WithTrackingName(TrackingNames.ModelIdentities)
            .Collect()
            .Select(static (identities, _) => FindDuplicates(identities))
            .WithTrackingName(TrackingNames.DuplicateNames);

        var outputs = models
            .Combine(duplicates)
            .Select(static (input, _) => RejectDuplicate(input.Left, input.Right))
            .WithTrackingName(TrackingNames.ModelOutputs);

        context.RegisterSourceOutput(outputs, static (output, result) =>
        {
            foreach (var diagnostic in result.Diagnostics)
                output.ReportDiagnostic(diagnostic.ToDiagnostic());
            if (result.Spec is { } spec)
                output.AddSource(ModelEmitter.HintName(spec), SourceText.From(ModelEmitter.Emit(spec), System.Text.Encoding.UTF8));
        });
    }

    private static ManifestFile ReadManifest(AdditionalText text, AnalyzerConfigOptionsProvider options, System.Threading.CancellationToken cancellationToken)
    {
        var fileOptions = options.GetOptions(text);
        fileOptions.TryGetValue(ClassNameMetadata, out var className);
        fileOptions.TryGetValue(NamespaceMetadata, out var ns);
        options.GlobalOptions.TryGetValue(RootNamespaceProperty, out var rootNamespace);
        return new ManifestFile(text.Path, text.GetText(cancellationToken)?.ToString(), className, ns, rootNamespace);
    }

    /// <summary>Identities whose class name (ignoring case, as file systems may) is generated more than once, sorted.</summary>
    private static EquatableArray<ModelIdentity> FindDuplicates(ImmutableArray<ModelIdentity> identities) =>
        new(identities
            .GroupBy(identity => identity.FullName, StringComparer.OrdinalIgnoreCase)
            .Where(group => group.Count() > 1)
            .SelectMany(group => group)
            .OrderBy(identity => identity.FullName, StringComparer.Ordinal)
            .ThenBy(identity => identity.Path, StringComparer.Ordinal));

    private static ModelResult RejectDuplicate(ModelResult result, EquatableArray<ModelIdentity> duplicates)
    {
        if (result.Spec is null) return result;
        var others = duplicates
            .Where(other => other.Path != result.Path && string.Equals(other.FullName, result.Spec.FullName, StringComparison.OrdinalIgnoreCase))
            .Select(other => "'" + other.Path + "'")
            .ToArray();
        if (others.Length == 0) return result;
        var diagnostic = DiagnosticInfo.AtFileStart(Descriptors.DuplicateClassName, result.Path, result.Spec.FullName, string.Join(", ", others));
        return new ModelResult(result.Path, null, new EquatableArray<DiagnosticInfo>(result.Diagnostics.Concat(new[] { diagnostic })));
    }
}
