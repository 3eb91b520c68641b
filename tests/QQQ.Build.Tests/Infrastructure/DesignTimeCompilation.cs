namespace QQQ.Build.Tests.Infrastructure;

/// <summary>
/// Compiles what an IDE compiles after a design-time build: the SDK's compiler on exactly the command line
/// that the design-time build's CoreCompile returned. That proves the generated class comes from the inputs
/// the IDE gets (the analyzers, additional files and editorconfig named there), with nothing a real build
/// adds; a design-time-shaped build that runs the compiler would instead be skipped as up to date after the
/// real build, or compute its own command line. Only the outputs move, to a folder of the test (a later
/// /out or /refout overrides an earlier one), and the generated sources are written out (/generatedfilesout).
/// </summary>
internal static class DesignTimeCompilation
{
    const string NoConfig = "/noconfig";

    /// <summary>The compiler, on the design-time build's arguments, generates the model class and compiles the app that uses it without a warning.</summary>
    public static void AssertGeneratesTheModelClass(TestProject project, DesignTimeBuild.Result build)
    {
        var folder = Path.Combine(project.WorkFolder, "design-time-compilation");
        var generated = Path.Combine(folder, "generated");
        // csc creates the folders below it, not this one.
        Directory.CreateDirectory(generated);
        var responseFile = Path.Combine(folder, "csc.rsp");
        File.WriteAllLines(responseFile,
            [.. build.CompilerArguments.Where(argument => argument != NoConfig),
             $"/out:\"{Path.Combine(folder, "App.dll")}\"", $"/refout:\"{Path.Combine(folder, "App.ref.dll")}\"", $"/generatedfilesout:\"{generated}\""]);

        // Relative paths in the arguments are relative to the project; csc obeys /noconfig only on its own
        // command line (in a response file it warns CS2023), which is where the Csc task puts it too.
        string[] noConfig = build.CompilerArguments.Contains(NoConfig) ? [NoConfig] : [];
        var compiler = Dotnet.Run(project.Directory, ["exec", build.CompilerPath, .. noConfig, "/nologo", "@" + responseFile], TimeSpan.FromMinutes(5));

        Assert.True(compiler.ExitCode == 0, compiler.ToString());
        Assert.Empty(Diagnostics.All(compiler));
        // <folder>/<generator assembly>/<generator type>/<hint name>; the hint name is the class's full name
        // (ModelEmitter.HintName), here in the test app's root namespace App.
        var modelClass = Path.Combine(generated, "QQQ.Generators", "QQQ.Generators.ModelGenerator", $"App.{TestProject.ClassName}.g.cs");
        Assert.True(File.Exists(modelClass), compiler.ToString());
        Assert.Contains($"public sealed partial class {TestProject.ClassName}", File.ReadAllText(modelClass), StringComparison.Ordinal);
    }
}
