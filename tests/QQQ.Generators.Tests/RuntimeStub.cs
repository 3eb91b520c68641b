namespace QQQ.Generators.Tests;

/// <summary>
/// The runtime API the generated classes call, as a stub compiled in memory: the generated code is checked to
/// be well-formed C# against it until the real QQQ.Runtime exists.
/// </summary>
internal static class RuntimeStub
{
    public const string Source = """
        #nullable enable
        namespace QQQ.Formats
        {
            public interface ITextTokenizer
            {
                int[] Encode(string text, bool addBos);
            }
        }

        namespace QQQ.Runtime
        {
            public interface IGranularity { }
            public readonly struct PerChannel : IGranularity { }
            public readonly struct PerGroup128 : IGranularity { }
            public readonly struct PerGroup64 : IGranularity { }
            public readonly struct PerGroup32 : IGranularity { }

            public sealed class QQQModelOptions { }
            public sealed class GenerationSettings { }

            public sealed class QQQModel<TG> : System.IDisposable where TG : struct, IGranularity
            {
                public static QQQModel<TG> Load(string artifactPath, QQQModelOptions? options = null) => throw new System.NotImplementedException();
                public System.Collections.Generic.IEnumerable<string> Generate(string prompt, GenerationSettings? settings = null) => throw new System.NotImplementedException();
                public System.Collections.Generic.IAsyncEnumerable<string> GenerateAsync(string prompt, GenerationSettings? settings = null, System.Threading.CancellationToken cancellationToken = default) => throw new System.NotImplementedException();
                public float[] Forward(System.ReadOnlySpan<int> tokens) => throw new System.NotImplementedException();
                public QQQ.Formats.ITextTokenizer Tokenizer => throw new System.NotImplementedException();
                public void Dispose() { }
            }
        }
        """;
}
