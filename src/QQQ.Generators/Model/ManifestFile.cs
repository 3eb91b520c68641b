namespace QQQ.Generators.Model;

/// <summary>
/// One <c>.qqq.json</c> additional file as the generator sees it: its text and the MSBuild values that
/// name the class. <paramref name="Text"/> is null when the file could not be read.
/// </summary>
/// <param name="Path">The manifest's path.</param>
/// <param name="Text">The manifest's contents, or null when unreadable.</param>
/// <param name="ClassName">The item's <c>QQQClassName</c> metadata, or null when not set.</param>
/// <param name="Namespace">The item's <c>QQQNamespace</c> metadata, or null when not set.</param>
/// <param name="RootNamespace">The project's <c>RootNamespace</c>, or null when not set.</param>
internal sealed record ManifestFile(string Path, string? Text, string? ClassName, string? Namespace, string? RootNamespace);
