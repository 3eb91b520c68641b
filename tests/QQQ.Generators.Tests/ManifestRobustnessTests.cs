using QQQ.Generators.Model;
using QQQ.Generators.Parsing;
using QQQ.Generators.Tests.Infrastructure;

namespace QQQ.Generators.Tests;

/// <summary>Damaged manifests of every kind end in a diagnostic, never in an exception or a partial model.</summary>
public sealed class ManifestRobustnessTests
{
    [Fact]
    public void EveryTruncation_IsRejectedWithoutThrowing()
    {
        var json = TestManifests.Stories260KJson.TrimEnd();
        for (var length = 0; length < json.Length; length++)
        {
            var result = ManifestParser.Parse(new ManifestFile("/m.qqq.json", json[..length], null, null, null));

            Assert.Null(result.Spec);
            Assert.Equal("QQQ101", Assert.Single(result.Diagnostics).Descriptor.Id);
        }
    }

    [Fact]
    public void EveryCorruptedCharacter_EndsInASpecOrDiagnostics()
    {
        var json = TestManifests.Stories260KJson;
        foreach (var replacement in new[] { '"', '{', '}', ',', '0', 'x', '\u0001' })
        {
            for (var i = 0; i < json.Length; i++)
            {
                var corrupted = json[..i] + replacement + json[(i + 1)..];
                var result = ManifestParser.Parse(new ManifestFile("/m.qqq.json", corrupted, null, null, null));

                Assert.True(result.Spec is not null || result.Diagnostics.Count > 0);
            }
        }
    }
}
