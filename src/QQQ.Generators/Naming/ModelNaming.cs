using System;
using System.Collections.Generic;
using Microsoft.CodeAnalysis;
using QQQ.Generators.Diagnostics;
using QQQ.Generators.Model;

namespace QQQ.Generators.Naming;

/// <summary>
/// Chooses a model class's name and namespace: the item's QQQClassName / QQQNamespace metadata when set,
/// else the PascalCase model name and the project's RootNamespace (else the global namespace); repairs
/// invalid names with a QQQ103 warning.
/// </summary>
internal static class ModelNaming
{
    /// <param name="file">The manifest and its MSBuild values.</param>
    /// <param name="modelName">The manifest's <c>name</c>.</param>
    /// <param name="diagnostics">Receives the QQQ103 warnings.</param>
    /// <param name="nameLocation">Creates a diagnostic located at the manifest's <c>name</c> value.</param>
    public static (string Namespace, string ClassName) Resolve(
        ManifestFile file, string modelName, List<DiagnosticInfo> diagnostics,
        Func<DiagnosticDescriptor, string[], DiagnosticInfo> nameLocation)
    {
        var classFromMetadata = NonEmpty(file.ClassName);
        var requestedClassName = classFromMetadata ?? Identifiers.ToPascalCase(modelName);
        var className = Identifiers.FixClassName(requestedClassName);
        if (className.Problem is not null)
        {
            var arguments = new[] { "class name", requestedClassName, className.Problem, className.Name };
            diagnostics.Add(classFromMetadata is null
                ? nameLocation(Descriptors.NameSanitized, arguments)
                : DiagnosticInfo.AtFileStart(Descriptors.NameSanitized, file.Path, arguments));
        }

        var requestedNamespace = NonEmpty(file.Namespace) ?? NonEmpty(file.RootNamespace);
        if (requestedNamespace is null) return ("", className.Name);
        var ns = Identifiers.FixNamespace(requestedNamespace);
        if (ns.Problem is not null)
            diagnostics.Add(DiagnosticInfo.AtFileStart(Descriptors.NameSanitized, file.Path, "namespace", requestedNamespace, ns.Problem, ns.Name));
        return (ns.Name, className.Name);
    }

    private static string? NonEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value!.Trim();
}
