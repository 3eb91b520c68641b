namespace QQQ.Build.Tests.Infrastructure;

/// <summary>
/// Integration tests run one at a time: each drives whole builds on a 2-core machine, and they share the
/// repository's projects, which every in-repo build (re)builds in place.
/// </summary>
[CollectionDefinition(Name)]
public sealed class IntegrationCollection
{
    public const string Name = "dotnet build";
}
