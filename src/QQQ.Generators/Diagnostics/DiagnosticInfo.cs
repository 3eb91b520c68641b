using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;
using QQQ.Generators.Model;

namespace QQQ.Generators.Diagnostics;

/// <summary>
/// A diagnostic kept as plain, comparable data inside the incremental pipeline (a <see cref="Diagnostic"/>
/// holds a <see cref="Location"/> that is not value-equal); turned into one only when reported.
/// </summary>
internal sealed record DiagnosticInfo(
    DiagnosticDescriptor Descriptor,
    string Path,
    TextSpan Span,
    LinePositionSpan LineSpan,
    EquatableArray<string> Arguments)
{
    /// <summary>A diagnostic at the start of a file (for problems not tied to one place in it).</summary>
    public static DiagnosticInfo AtFileStart(DiagnosticDescriptor descriptor, string path, params string[] arguments) =>
        new(descriptor, path, default, default, new EquatableArray<string>(arguments));

    public Diagnostic ToDiagnostic() =>
        Diagnostic.Create(Descriptor, Location.Create(Path, Span, LineSpan), Arguments.Cast<object>().ToArray());
}
