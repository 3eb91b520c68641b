namespace System.Runtime.CompilerServices;

/// <summary>Marker type the compiler needs for records and <c>init</c> accessors; netstandard2.0 lacks it.</summary>
internal static class IsExternalInit
{
}
