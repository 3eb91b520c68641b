using System.Globalization;
using QQQ.Quantization.Dev;

namespace QQQ.Cli.Commands;

/// <summary><c>qqq dev ...</c>: tools for developing and benchmarking the quantizer, not for shipping models.</summary>
public static class DevCommand
{
    public static int Run(IReadOnlyList<string> args)
    {
        if (args.Count == 0) throw new UsageException("qqq dev needs a sub-verb: inject-outliers");
        return args[0] switch
        {
            "inject-outliers" => InjectOutliers(args.Skip(1).ToList()),
            var other => throw new UsageException($"unknown dev sub-verb '{other}'"),
        };
    }

    static int InjectOutliers(IReadOnlyList<string> args)
    {
        var arguments = Arguments.Parse(args, new HashSet<string>());
        string model = arguments.Required("model");
        string output = arguments.Required("out");
        var injection = new OutlierInjection
        {
            Seed = arguments.Int("seed", 0),
            ChannelsPerNorm = arguments.Int("channels", 4, min: 1),
            MinFactor = (float)arguments.Double("min-factor", 30, 1, 1e4),
            MaxFactor = (float)arguments.Double("max-factor", 100, 1, 1e4),
        };
        arguments.RejectUnknown();
        if (injection.MaxFactor < injection.MinFactor) throw new UsageException("--max-factor must not be below --min-factor");
        var injected = injection.Write(model, output);
        foreach (var outlier in injected)
            Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{outlier.Norm}[{outlier.Channel}] x {outlier.Factor:F1}"));
        Console.Error.WriteLine($"wrote {output}: {injected.Count} outlier channels, FP32 function unchanged");
        return 0;
    }
}
