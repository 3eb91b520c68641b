using QQQ.TestSupport;

namespace QQQ.Build.Tests.Infrastructure;

/// <summary>
/// A console app in a fresh temporary folder, outside the repository (no Directory.Build.props reaches it),
/// that declares one QQQModel and prints what the generated class <c>App.TinyModel</c> generates. It uses
/// QQQ.Build either through this repository's projects (build/QQQ.InRepo.props) or as packages.
/// </summary>
internal sealed class TestProject : IDisposable
{
    public const string ClassName = "TinyModel";

    readonly string _references;
    readonly string _propsImport, _targetsImport;

    /// <summary>The project folder, inside <see cref="WorkFolder"/>.</summary>
    public string Directory { get; }

    /// <summary>A fresh folder for the test, deleted afterwards: the project and whatever else the test needs beside it (a package feed).</summary>
    public string WorkFolder { get; }
    public string ProjectFile => Path.Combine(Directory, "App.csproj");
    public string IntermediateFolder => Path.Combine(Directory, "obj", Dotnet.Configuration, "net10.0");
    public string OutputFolder => Path.Combine(Directory, "bin", Dotnet.Configuration, "net10.0");
    public string ModelAttributes { get; private set; }

    TestProject(string modelAttributes, string references, string propsImport, string targetsImport)
    {
        WorkFolder = Path.Combine(Path.GetTempPath(), "qqq-build-tests", Guid.NewGuid().ToString("N")[..12]);
        Directory = Path.Combine(WorkFolder, "app");
        System.IO.Directory.CreateDirectory(Directory);
        (_references, _propsImport, _targetsImport) = (references, propsImport, targetsImport);
        ModelAttributes = modelAttributes;
        WriteProject();
        File.WriteAllText(Path.Combine(Directory, "Program.cs"), Program);
    }

    /// <summary>Uses QQQ.Build as this repository's samples do: build/QQQ.InRepo.props and .targets and a reference to src/QQQ.Runtime.</summary>
    public static TestProject InRepo(string modelAttributes)
    {
        var repo = SharedData.RepoRoot;
        return new TestProject(modelAttributes,
            $"""<ProjectReference Include="{Path.Combine(repo, "src", "QQQ.Runtime", "QQQ.Runtime.csproj")}" />""",
            $"""<Import Project="{Path.Combine(repo, "build", "QQQ.InRepo.props")}" />""",
            $"""<Import Project="{Path.Combine(repo, "build", "QQQ.InRepo.targets")}" />""");
    }

    /// <summary>References only the QQQ.Build and QQQ.Runtime packages, as an app outside this repository would.</summary>
    public static TestProject Packaged(string modelAttributes, string version) =>
        new(modelAttributes,
            $"""
            <PackageReference Include="QQQ.Build" Version="{version}" />
                <PackageReference Include="QQQ.Runtime" Version="{version}" />
            """,
            "", "");

    /// <summary>Rewrites the QQQModel element's attributes (Include and metadata), as a user editing the csproj.</summary>
    public void SetModel(string modelAttributes)
    {
        ModelAttributes = modelAttributes;
        WriteProject();
    }

    /// <summary>The 1-based line of the QQQModel element in App.csproj, where its errors must point.</summary>
    public int ModelLine => File.ReadAllLines(ProjectFile).Select((text, index) => (text, index)).First(l => l.text.Contains("<QQQModel", StringComparison.Ordinal)).index + 1;

    public string Artifact(string name) => Path.Combine(IntermediateFolder, "qqq", name + ".qqq");
    public string Manifest(string name) => Artifact(name) + ".json";
    public string CopiedArtifact(string name) => Path.Combine(OutputFolder, name + ".qqq");

    public Dotnet.Result Build(params string[] extra) => Run("build", TimeSpan.FromMinutes(10), extra);

    /// <summary>Restore alone (as an IDE does before design-time builds): it takes no configuration or verbosity.</summary>
    public Dotnet.Result Restore() =>
        Infrastructure.Dotnet.Run(Directory, ["restore", ProjectFile, "-nodeReuse:false", "--disable-build-servers"], TimeSpan.FromMinutes(5));

    public Dotnet.Result Run(string verb, TimeSpan timeout, string[] extra, IReadOnlyDictionary<string, string>? environment = null,
        Dotnet.Interruption? interrupt = null) =>
        Infrastructure.Dotnet.Run(Directory, [verb, ProjectFile, .. Infrastructure.Dotnet.BuildOptions, .. extra], timeout, environment, interrupt);

    /// <summary>Runs the built app: greedy generation of <paramref name="maxTokens"/> tokens from the start of a text.</summary>
    public Dotnet.Result RunApp(int maxTokens) =>
        Infrastructure.Dotnet.Run(Directory, [Path.Combine(OutputFolder, "App.dll"), maxTokens.ToString(System.Globalization.CultureInfo.InvariantCulture)],
            TimeSpan.FromMinutes(15));

    /// <summary>Whether the quantizer ran in a build: its first line names the model it quantizes.</summary>
    public static bool Quantized(Dotnet.Result build) => build.Lines.Any(line => line.TrimStart().StartsWith("quantizing ", StringComparison.Ordinal));

    public static bool SkippedQuantization(Dotnet.Result build) =>
        build.Output.Contains("Skipping target \"QQQQuantize\" because all output files are up-to-date", StringComparison.Ordinal);

    void WriteProject() => File.WriteAllText(ProjectFile, $"""
        <Project Sdk="Microsoft.NET.Sdk">
          {_propsImport}
          <PropertyGroup>
            <OutputType>Exe</OutputType>
            <TargetFramework>net10.0</TargetFramework>
            <RootNamespace>App</RootNamespace>
            <Nullable>enable</Nullable>
            <ImplicitUsings>enable</ImplicitUsings>
            <TreatWarningsAsErrors>true</TreatWarningsAsErrors>
            <!-- The NuGet mirror serves some of TorchSharp's and the tokenizer's dependencies one patch above what they ask for. -->
            <NoWarn>$(NoWarn);NU1603</NoWarn>
            <WarningsNotAsErrors>$(WarningsNotAsErrors);NU1603</WarningsNotAsErrors>
          </PropertyGroup>
          <ItemGroup>
            {_references}
          </ItemGroup>
          <ItemGroup>
            <QQQModel {ModelAttributes} ClassName="{ClassName}" />
          </ItemGroup>
          {_targetsImport}
        </Project>
        """);

    const string Program = """
        // Greedy generation from the start of a text: the model's reference story.
        using var model = App.TinyModel.Load();
        var settings = new QQQ.Runtime.GenerationSettings { MaxTokens = int.Parse(args[0]) };
        foreach (var piece in model.Generate("", settings))
            Console.Write(piece);
        Console.WriteLine();
        """;

    public void Dispose()
    {
        try
        {
            System.IO.Directory.Delete(WorkFolder, recursive: true);
        }
        catch (IOException)
        {
            // A killed build may still be letting go of a file; the folder is under the temp directory.
        }
    }
}
