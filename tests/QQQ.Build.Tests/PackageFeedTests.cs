using System.IO.Compression;
using QQQ.Build.Tests.Infrastructure;
using QQQ.TestSupport;

namespace QQQ.Build.Tests;

/// <summary>
/// The packages as a user gets them: `dotnet pack QQQ.Packages.slnf` into a folder, and a fresh app whose
/// nuget.config adds that folder to the usual sources, referencing only QQQ.Build and QQQ.Runtime.
/// </summary>
[Collection(IntegrationCollection.Name)]
[Trait("Category", "Integration")]
public sealed class PackageFeedTests
{
    [Fact]
    public void AppReferencingOnlyTheTwoPackagesBuildsAndRuns()
    {
        // A version no cache can hold yet: restore must take these packages from the feed.
        var version = "0.1.0-test." + DateTime.UtcNow.ToString("yyyyMMddHHmmss", System.Globalization.CultureInfo.InvariantCulture);
        using var project = TestProject.Packaged(
            $"""Include="{Models.Stories260K}" Tokenizer="{Models.Stories260KTokenizer}" CalibrationText="{Models.CalibrationText}" {Models.FastCalibration}""",
            version);
        var feed = Path.Combine(project.WorkFolder, "feed");
        var pack = Dotnet.Run(SharedData.RepoRoot,
            ["pack", Path.Combine(SharedData.RepoRoot, "QQQ.Packages.slnf"), "-c", Dotnet.Configuration, "-o", feed,
             "-p:PackageVersion=" + version, "-nodeReuse:false", "--disable-build-servers", "-tl:off"],
            TimeSpan.FromMinutes(15));
        Assert.True(pack.ExitCode == 0, pack.ToString());
        AssertBuildPackageLayout(Path.Combine(feed, $"QQQ.Build.{version}.nupkg"));
        Assert.True(File.Exists(Path.Combine(feed, $"QQQ.Runtime.{version}.nupkg")));

        // Packages restore into a folder of this test; everything else is found in the user's cache.
        var packages = Path.Combine(project.WorkFolder, "packages");
        File.WriteAllText(Path.Combine(project.Directory, "nuget.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <add key="qqq-local" value="{feed}" />
              </packageSources>
              <fallbackPackageFolders>
                <add key="user-cache" value="{UserPackageCache}" />
              </fallbackPackageFolders>
            </configuration>
            """);
        var environment = new Dictionary<string, string> { ["NUGET_PACKAGES"] = packages };

        var build = project.Run("build", TimeSpan.FromMinutes(15), [], environment);

        // The packaged generator references no newer Roslyn than the SDK's compiler, which loads and runs it.
        Assert.Empty(Diagnostics.FromGenerator(build));
        Assert.True(build.ExitCode == 0, build.ToString());
        Assert.True(TestProject.Quantized(build), build.ToString());
        Assert.True(Directory.Exists(Path.Combine(packages, "qqq.build", version)));
        Assert.True(Directory.Exists(Path.Combine(packages, "qqq.runtime", version)));
        Assert.True(File.Exists(project.CopiedArtifact("stories260K")));
        // A development dependency: neither the quantizer nor libtorch reaches the app's output.
        Assert.False(File.Exists(Path.Combine(project.OutputFolder, "TorchSharp.dll")));
        Assert.False(File.Exists(Path.Combine(project.OutputFolder, "qqq.dll")));

        var run = project.RunApp(ReferenceText.OpeningTokens);
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.StartsWith(ReferenceText.Opening, run.Output, StringComparison.Ordinal);

        // The IDE once the artifact exists: a design-time build hands the compiler the package's generator and
        // the manifest, and from exactly those arguments the class is generated.
        var designTime = DesignTimeBuild.Run(project, environment);
        Assert.Contains("/analyzer:" + Path.Combine(packages, "qqq.build", version, "analyzers", "dotnet", "cs", "QQQ.Generators.dll"), designTime.CompilerArguments);
        Assert.Contains("/additionalfile:" + project.Manifest("stories260K"), designTime.CompilerArguments);
        DesignTimeCompilation.AssertGeneratesTheModelClass(project, designTime);
    }

    static string UserPackageCache =>
        Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } custom
            ? custom
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");

    static void AssertBuildPackageLayout(string nupkg)
    {
        using var zip = ZipFile.OpenRead(nupkg);
        var entries = zip.Entries.Select(entry => entry.FullName).ToHashSet();
        foreach (var expected in new[]
        {
            "build/QQQ.Build.props", "build/QQQ.Build.targets", "build/QQQ.Generators.props",
            "tasks/net10.0/QQQ.Build.Tasks.dll", "analyzers/dotnet/cs/QQQ.Generators.dll",
            "tools/qqq/qqq.dll", "tools/qqq/qqq.runtimeconfig.json", "tools/qqq/runtimes/linux-x64/native/libtorch_cpu.so",
            "tools/qqq/runtimes/linux-x64/native/libLibTorchSharp.so",
        })
            Assert.Contains(expected, entries);
        Assert.DoesNotContain(entries, entry => entry.StartsWith("lib/", StringComparison.Ordinal));
        using var nuspec = new StreamReader(zip.Entries.Single(entry => entry.FullName.EndsWith(".nuspec", StringComparison.Ordinal)).Open());
        Assert.Contains("<developmentDependency>true</developmentDependency>", nuspec.ReadToEnd(), StringComparison.Ordinal);
    }
}
