using Microsoft.Build.Utilities;

namespace QQQ.Build.Tasks;

/// <summary>Errors located in the user's project file (the one that declared the QQQModel), not in the package's targets.</summary>
internal static class ProjectLog
{
    public static void Error(TaskLoggingHelper log, string code, string projectFile, int line, string message) =>
        log.LogError(subcategory: null, errorCode: code, helpKeyword: null, file: projectFile,
            lineNumber: line, columnNumber: 0, endLineNumber: 0, endColumnNumber: 0, message: message);
}
