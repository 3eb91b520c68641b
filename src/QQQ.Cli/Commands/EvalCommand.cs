using System.Globalization;
using System.Text.Json;
using QQQ.Cli.Evaluation;

namespace QQQ.Cli.Commands;

/// <summary><c>qqq eval</c>: perplexity of a model on a text file (method in the README).</summary>
public static class EvalCommand
{
    public static int Run(IReadOnlyList<string> args)
    {
        var arguments = Arguments.Parse(args, new HashSet<string> { "json" });
        bool json = arguments.Flag("json");
        string textPath = arguments.Required("text");
        int window = arguments.Int("window", 512, min: 2);
        int? maxWindows = arguments.Optional("max-windows") == null ? null : arguments.Int("max-windows", 0, min: 1);
        var started = DateTime.UtcNow;
        var (engine, tokenizer) = ModelInputs.Open(arguments);
        arguments.RejectUnknown();
        using (engine)
        {
            var ids = tokenizer.Encode(EvaluationText.Read(textPath), addBos: true);
            Progress? progress = null;
            var result = Perplexity.Evaluate(engine, ids, window, maxWindows, textPath,
                (done, total) => (progress ??= new Progress("eval windows", total)).Report(done));
            double seconds = (DateTime.UtcNow - started).TotalSeconds;
            if (json)
            {
                Console.WriteLine(JsonSerializer.Serialize(new
                {
                    perplexity = result.Perplexity,
                    nll = result.Nll,
                    tokens = result.Tokens,
                    windows = result.Windows,
                    predicted = result.Predicted,
                    window,
                    seconds,
                }));
            }
            else
            {
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"perplexity {result.Perplexity:F4}  (mean NLL {result.Nll:F6} over {result.Predicted} predictions, {result.Windows} windows of {window}, {result.Tokens} tokens, {seconds:F1} s)"));
            }
        }
        return 0;
    }
}
