using System.Diagnostics;
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;

namespace QQQ.Build.Tasks;

/// <summary>
/// Runs <c>dotnet qqq.dll quantize ...</c> for one model, out of the MSBuild process: libtorch is large,
/// native and not unloadable, so it must never load into a build node. The quantizer's progress lines go
/// to the build log with high importance (CI logs show them), its errors become QQQ0xx errors in the project
/// that declared the model, and cancelling the build stops it (SIGTERM, then a kill).
/// </summary>
public sealed class QuantizeModel : ToolTask
{
    /// <summary>The quantizer, qqq.dll, run by the dotnet host that runs the build.</summary>
    [Required] public string ToolAssembly { get; set; } = "";

    /// <summary>Arguments after qqq.dll (from ResolveQQQModels' QuantizeArguments).</summary>
    [Required] public string[] Arguments { get; set; } = [];

    /// <summary>The artifact the arguments write; with its manifest, deleted before the quantizer starts.</summary>
    [Required] public string ArtifactPath { get; set; } = "";

    /// <summary>The QQQModel's Include, to name it in messages.</summary>
    [Required] public string ModelItemSpec { get; set; } = "";

    /// <summary>The project that declared the QQQModel: where errors point.</summary>
    public string ProjectFile { get; set; } = "";

    readonly QuantizerOutput _output = new();
    volatile bool _cancelled;
    Process? _process;

    public QuantizeModel()
    {
        // Other projects of the build may use this node while the quantizer works.
        YieldDuringToolExecution = true;
    }

    protected override string ToolName => "dotnet";

    /// <summary>The SDK's dotnet, which the CLI hands to MSBuild in DOTNET_HOST_PATH; else the one on PATH.</summary>
    protected override string GenerateFullPathToTool() =>
        Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host)
            ? host
            : ToolName;

    protected override string GenerateCommandLineCommands()
    {
        // CommandLineBuilder quotes what needs it (paths with spaces) the way the process start splits it back.
        var builder = new CommandLineBuilder(quoteHyphensOnCommandLine: false, useNewLineSeparator: false);
        builder.AppendFileNameIfNotNull(ToolAssembly);
        foreach (var argument in Arguments) builder.AppendSwitchIfNotNull("", argument);
        return builder.ToString();
    }

    protected override string GetWorkingDirectory() =>
        Path.GetDirectoryName(ProjectFile) is { Length: > 0 } directory ? directory : base.GetWorkingDirectory();

    protected override bool ValidateParameters()
    {
        if (File.Exists(ToolAssembly)) return true;
        ProjectLog.Error(Log, ErrorCodes.ToolNotFound, ProjectFile, 0, $"the quantizer was not found at '{ToolAssembly}'");
        return false;
    }

    protected override int ExecuteTool(string pathToTool, string responseFileCommands, string commandLineCommands)
    {
        // The target runs only when the artifact is out of date: the old one must not outlive a failed or
        // cancelled run, or a later build could take it for current.
        RemoveOutputs();
        return base.ExecuteTool(pathToTool, responseFileCommands, commandLineCommands);
    }

    void RemoveOutputs()
    {
        File.Delete(ArtifactPath);
        File.Delete(ArtifactPath + ".json");
        // Temporary files of a killed run (the CLI writes .<name>.<guid>.tmp, then renames it).
        var folder = Path.GetDirectoryName(Path.GetFullPath(ArtifactPath))!;
        if (!Directory.Exists(folder)) return;
        foreach (var name in new[] { Path.GetFileName(ArtifactPath), Path.GetFileName(ArtifactPath) + ".json" })
            foreach (var leftover in Directory.GetFiles(folder, "." + name + ".*.tmp"))
                File.Delete(leftover);
    }

    protected override void LogEventsFromTextOutput(string singleLine, MessageImportance messageImportance)
    {
        var line = _output.Classify(singleLine);
        switch (line.Kind)
        {
            case LineKind.Error:
                string message = $"QQQModel '{ModelItemSpec}': {line.Text}";
                if (line.Code == ErrorCodes.GroupSizeDoesNotDivide)
                {
                    // The CLI's advice names its options; say it in the item's metadata instead.
                    int advice = line.Text.IndexOf(": use --granularity", StringComparison.Ordinal);
                    message = $"QQQModel '{ModelItemSpec}': {(advice < 0 ? line.Text : line.Text[..advice])}; " +
                        "set Granularity=\"PerChannel\" or a GroupSize that divides the model's dimensions";
                }
                ProjectLog.Error(Log, line.Code!, ProjectFile, ProjectLocation.FindLine(ProjectFile, ModelItemSpec, File.ReadAllText), message);
                break;
            case LineKind.Detail:
                Log.LogMessage(MessageImportance.Low, singleLine);
                break;
            default:
                Log.LogMessage(MessageImportance.High, singleLine);
                break;
        }
    }

    protected override bool HandleTaskExecutionErrors()
    {
        if (_cancelled) return false;
        if (!Log.HasLoggedErrors)
            ProjectLog.Error(Log, ErrorCodes.QuantizerFailed, ProjectFile, 0,
                $"QQQModel '{ModelItemSpec}': the quantizer exited with code {ExitCode} without saying why");
        return false;
    }

    protected override Process StartToolProcess(Process proc)
    {
        _process = base.StartToolProcess(proc);
        return _process;
    }

    /// <summary>
    /// Asks the quantizer to stop first (SIGTERM: it ends its current step and writes nothing), then lets
    /// ToolTask kill whatever is left. Its outputs are written atomically and the old ones were deleted
    /// before it started, so a cancelled build leaves no artifact behind.
    /// </summary>
    public override void Cancel()
    {
        _cancelled = true;
        if (_process is { } process && Signals.TryTerminate(process))
            process.WaitForExit(5000);
        base.Cancel();
    }
}
