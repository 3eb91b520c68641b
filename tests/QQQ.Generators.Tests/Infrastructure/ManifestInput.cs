namespace QQQ.Generators.Tests.Infrastructure;

/// <summary>A manifest AdditionalFiles item: its path, text (null: unreadable) and QQQClassName / QQQNamespace metadata.</summary>
internal sealed record ManifestInput(string Path, string? Json, string? ClassName = null, string? Namespace = null)
{
    public InMemoryAdditionalText ToAdditionalText() => new(Path, Json);

    public IReadOnlyDictionary<string, string> Metadata()
    {
        // MSBuild passes every compiler-visible metadata, empty when the item does not set it.
        return new Dictionary<string, string>
        {
            ["build_metadata.AdditionalFiles.QQQClassName"] = ClassName ?? "",
            ["build_metadata.AdditionalFiles.QQQNamespace"] = Namespace ?? "",
        };
    }
}
