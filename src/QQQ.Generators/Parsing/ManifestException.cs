using System;
using Microsoft.CodeAnalysis;
using QQQ.Generators.Json;

namespace QQQ.Generators.Parsing;

/// <summary>Stops reading a manifest at its first problem; becomes one diagnostic at <see cref="Node"/>.</summary>
internal sealed class ManifestException : Exception
{
    public ManifestException(DiagnosticDescriptor descriptor, JsonNode node, bool atStartOnly, params string[] arguments)
        : base(string.Join(", ", arguments))
    {
        Descriptor = descriptor;
        Node = node;
        AtStartOnly = atStartOnly;
        Arguments = arguments;
    }

    public DiagnosticDescriptor Descriptor { get; }

    /// <summary>The value the problem is about.</summary>
    public JsonNode Node { get; }

    /// <summary>Point at the value's first character only (a missing property points at its object's brace).</summary>
    public bool AtStartOnly { get; }

    public string[] Arguments { get; }
}
