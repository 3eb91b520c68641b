using System.Globalization;
using QQQ.Generators.Tests.Infrastructure;

namespace QQQ.Generators.Tests;

/// <summary>The output depends on the manifests only, not on the build machine's culture.</summary>
public sealed class CultureTests
{
    [Fact]
    public void Output_IsIdentical_UnderACultureWithCommaDecimalsAndAUnicodeMinus()
    {
        // The tests run with invariant globalization, so build a hostile culture by hand: ',' decimals,
        // '.' group separators and U+2212 as the minus sign (as sv-SE and others use).
        var hostile = (CultureInfo)CultureInfo.InvariantCulture.Clone();
        hostile.NumberFormat.NumberDecimalSeparator = ",";
        hostile.NumberFormat.NumberGroupSeparator = ".";
        hostile.NumberFormat.NegativeSign = "\u2212";
        Assert.Equal("\u22121", (-1).ToString(hostile));

        var invariant = Generate();
        var previous = (CultureInfo.CurrentCulture, CultureInfo.CurrentUICulture);
        (string Sources, string Diagnostics) underHostile;
        try
        {
            CultureInfo.CurrentCulture = CultureInfo.CurrentUICulture = hostile;
            underHostile = Generate();
        }
        finally
        {
            (CultureInfo.CurrentCulture, CultureInfo.CurrentUICulture) = previous;
        }

        Assert.Equal(invariant.Sources, underHostile.Sources);
        Assert.Equal(invariant.Diagnostics, underHostile.Diagnostics);
        Assert.Contains("public const int GroupSize = -1;", invariant.Sources);
    }

    private static (string Sources, string Diagnostics) Generate()
    {
        var badShape = GeneratedSourceTests.Stories260K with
        {
            Path = "/project/bad.qqq.json",
            Json = TestManifests.Edit(TestManifests.Stories260KJson, root => root["architecture"]!["bos_token_id"] = -1),
        };
        var result = GeneratorHarness.Run(GeneratedSourceTests.Stories260K, GeneratedSourceTests.LlamaSotu26m, badShape);
        return (
            string.Join("\n", result.GeneratedSources.Select(s => s.HintName + "\n" + s.SourceText)),
            string.Join("\n", result.Diagnostics.Select(d => d.ToString())));
    }
}
