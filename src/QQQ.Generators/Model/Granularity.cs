namespace QQQ.Generators.Model;

/// <summary>
/// A weight-scale granularity the runtime supports, bound at compile time through the type argument of
/// <c>QQQ.Runtime.QQQModel&lt;TG&gt;</c>.
/// </summary>
/// <param name="Name">The manifest's <c>quantization.granularity</c>: "per-channel" or "per-group".</param>
/// <param name="GroupSize">The manifest's <c>quantization.group_size</c>: -1 for per-channel.</param>
/// <param name="RuntimeType">Simple name of the runtime's granularity type, in namespace QQQ.Runtime.</param>
internal sealed record Granularity(string Name, int GroupSize, string RuntimeType)
{
    public const string PerChannelName = "per-channel";
    public const string PerGroupName = "per-group";

    private static readonly Granularity[] Supported =
    {
        new(PerChannelName, -1, "PerChannel"),
        new(PerGroupName, 128, "PerGroup128"),
        new(PerGroupName, 64, "PerGroup64"),
        new(PerGroupName, 32, "PerGroup32"),
    };

    public bool IsPerGroup => GroupSize > 0;

    /// <summary>The supported granularity with these manifest values, or null.</summary>
    public static Granularity? Find(string name, int groupSize)
    {
        foreach (var granularity in Supported)
            if (granularity.Name == name && granularity.GroupSize == groupSize) return granularity;
        return null;
    }
}
