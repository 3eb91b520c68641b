namespace QQQ.Generators.Model;

/// <summary>Which manifest generates which class; collected across manifests to find duplicates.</summary>
internal sealed record ModelIdentity(string FullName, string Path);
