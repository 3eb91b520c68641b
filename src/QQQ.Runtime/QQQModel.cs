using System.Runtime.CompilerServices;
using QQQ.Formats;
using QQQ.Formats.Artifacts;
using QQQ.Formats.Tokenizers;
using QQQ.Runtime.Devices;
using QQQ.Runtime.Execution;
using QQQ.Runtime.Generation;

namespace QQQ.Runtime;

/// <summary>
/// A QQQ artifact loaded onto a device (CUDA when present, else ILGPU's CPU accelerator), ready to
/// generate text or compute logits. The granularity is a type argument (<see cref="PerChannel"/>,
/// <see cref="PerGroup128"/>, ...) so the W4A8 GEMM is specialised at compile time; loading an artifact
/// of another granularity fails with a clear message.
/// Thread-safety: one model holds one KV cache, so calls are serialised by an internal lock; use one
/// instance per concurrent conversation. Dispose frees every device buffer.
/// </summary>
public sealed class QQQModel<TGranularity> : IDisposable where TGranularity : struct, IWeightGranularity
{
    readonly ComputeDevice _device;
    readonly DeviceWeights<TGranularity> _weights;
    readonly ForwardPass<TGranularity> _forward;
    // Not a lock: a generator is resumed on whichever thread enumerates it (GenerateAsync), so ownership must not be thread-affine.
    readonly SemaphoreSlim _gate = new(1, 1);
    bool _disposed;

    QQQModel(ArtifactManifest manifest, ITextTokenizer tokenizer, ComputeDevice device, DeviceWeights<TGranularity> weights, ForwardPass<TGranularity> forward)
    {
        Manifest = manifest;
        Config = weights.Config;
        Tokenizer = tokenizer;
        _device = device;
        _weights = weights;
        _forward = forward;
    }

    public ArtifactManifest Manifest { get; }
    public ModelConfig Config { get; }
    public ITextTokenizer Tokenizer { get; }

    /// <summary>The device kernels run on: <see cref="DeviceKind.Cpu"/> or <see cref="DeviceKind.Cuda"/>.</summary>
    public DeviceKind Device => _device.Kind;

    /// <summary>Longest sequence (prompt plus generated tokens) this instance holds.</summary>
    public int ContextLength => _forward.Context;

    /// <summary>Opens and validates an artifact, uploads its weights once and prepares the KV cache.</summary>
    /// <exception cref="ModelFormatException">The file is missing, truncated, not an artifact, of a newer format, or of another granularity.</exception>
    public static QQQModel<TGranularity> Load(string artifactPath, QQQModelOptions? options = null)
    {
        options ??= new QQQModelOptions();
        if (!File.Exists(artifactPath)) throw new ModelFormatException(artifactPath, "artifact not found");
        using var artifact = ArtifactFile.Open(artifactPath);
        var config = artifact.Config;
        int context = options.ContextLength ?? config.MaxSequenceLength;
        if (context < 1 || context > config.MaxSequenceLength)
            throw new ArgumentOutOfRangeException(nameof(options), $"ContextLength must be in 1..{config.MaxSequenceLength}");
        if (options.PrefillChunk < 1) throw new ArgumentOutOfRangeException(nameof(options), "PrefillChunk must be positive");
        var tokenizer = TokenizerLoader.Open(artifact.ReadTokenizerBytes(),
            $"{artifactPath} (embedded {artifact.Manifest.Tokenizer.FileName})", config.VocabSize);
        var device = ComputeDevice.Open(options.Device);
        DeviceWeights<TGranularity>? weights = null;
        try
        {
            weights = DeviceWeights<TGranularity>.Upload(artifact, device.Accelerator);
            var forward = new ForwardPass<TGranularity>(device.Accelerator, weights, context, Math.Min(options.PrefillChunk, context));
            return new QQQModel<TGranularity>(artifact.Manifest, tokenizer, device, weights, forward);
        }
        catch
        {
            weights?.Dispose();
            device.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Σ over t &lt; n - 1 of -log softmax(logits[t])[tokens[t + 1]] for <paramref name="tokens"/> scored alone from position 0,
    /// in float64 from the fp32 logits: the sum behind a window's perplexity.
    /// </summary>
    public double NextTokenNll(ReadOnlySpan<int> tokens)
    {
        var logits = Forward(tokens);
        int vocab = Config.VocabSize;
        double total = 0;
        for (int t = 0; t + 1 < tokens.Length; t++)
        {
            var row = logits.AsSpan(t * vocab, vocab);
            double max = double.NegativeInfinity;
            foreach (float v in row) max = Math.Max(max, v);
            double sum = 0;
            foreach (float v in row) sum += Math.Exp(v - max);
            total += Math.Log(sum) + max - row[tokens[t + 1]];
        }
        return total;
    }

    /// <summary>Logits for every position of <paramref name="tokens"/> run from position 0: (tokens.Length, vocab), row-major.</summary>
    public float[] Forward(ReadOnlySpan<int> tokens)
    {
        CheckTokens(tokens);
        _gate.Wait();
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            var logits = new float[(long)tokens.Length * Config.VocabSize];
            for (int start = 0; start < tokens.Length; start += _forward.MaxRows)
            {
                var chunk = tokens.Slice(start, Math.Min(_forward.MaxRows, tokens.Length - start));
                _forward.Run(chunk, start, chunk.Length).CopyTo(logits, (long)start * Config.VocabSize);
            }
            return logits;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// Streams the continuation of <paramref name="prompt"/> (BOS is prepended) piece by piece. Ends at the
    /// end-of-sequence token, a stop string (not included), <see cref="GenerationSettings.MaxTokens"/>, or the context.
    /// </summary>
    /// <exception cref="ArgumentException">The prompt does not fit the context.</exception>
    public IEnumerable<string> Generate(string prompt, GenerationSettings? settings = null) =>
        Generate(prompt, settings ?? new GenerationSettings(), CancellationToken.None);

    /// <summary>As <see cref="Generate(string, GenerationSettings?)"/>, computing on a worker thread; cancellation stops between tokens.</summary>
    public async IAsyncEnumerable<string> GenerateAsync(string prompt, GenerationSettings? settings = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        using var pieces = Generate(prompt, settings ?? new GenerationSettings(), cancellationToken).GetEnumerator();
        while (await Task.Run(pieces.MoveNext, cancellationToken).ConfigureAwait(false))
            yield return pieces.Current;
    }

    IEnumerable<string> Generate(string prompt, GenerationSettings settings, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(prompt);
        settings.Validate();
        var ids = Tokenizer.Encode(prompt, addBos: true);
        if (ids.Length >= ContextLength)
            throw new ArgumentException($"the prompt has {ids.Length} tokens; the context holds {ContextLength}", nameof(prompt));
        return Stream(ids, settings, cancellation);
    }

    /// <summary>
    /// Streams the ids of the tokens that follow <paramref name="promptIds"/>, taken as they are (no BOS is added), each one
    /// as soon as it is chosen: the first after one forward pass over the whole prompt (prefill, in chunks of
    /// <see cref="QQQModelOptions.PrefillChunk"/>), every later one after one single-token step over the KV cache (decode).
    /// Ends at <see cref="GenerationSettings.MaxTokens"/>, at the context, or at the end-of-sequence token when
    /// <see cref="GenerationSettings.StopAtEndOfSequence"/> is set; stop strings are text and must be empty here.
    /// </summary>
    /// <exception cref="ArgumentException">The prompt is empty, does not fit the context, holds ids outside the vocabulary, or stop strings are set.</exception>
    public IEnumerable<int> GenerateTokens(IReadOnlyList<int> promptIds, GenerationSettings? settings = null)
    {
        ArgumentNullException.ThrowIfNull(promptIds);
        settings ??= new GenerationSettings();
        settings.Validate();
        if (settings.StopStrings.Count > 0) throw new ArgumentException("stop strings apply to text; GenerateTokens takes none", nameof(settings));
        var prompt = promptIds.ToArray();
        CheckTokens(prompt);
        if (prompt.Length >= ContextLength)
            throw new ArgumentException($"the prompt has {prompt.Length} tokens; the context holds {ContextLength}", nameof(promptIds));
        return Tokens(prompt, settings, CancellationToken.None);
    }

    IEnumerable<string> Stream(int[] prompt, GenerationSettings settings, CancellationToken cancellation)
    {
        var text = new TokenTextStream(Tokenizer, prompt);
        var stops = new StopStringFilter(settings.StopStrings);
        foreach (int next in Tokens(prompt, settings, cancellation))
        {
            var (visible, stopped) = stops.Push(text.Push(next));
            if (visible.Length > 0) yield return visible;
            if (stopped) yield break;
        }
        var tail = stops.Finish(text.Flush());
        if (tail.Length > 0) yield return tail;
    }

    // Lazy: the forward pass that produces a token runs only when the caller asks for it, so a caller that stops
    // (a stop string, enough tokens) costs no extra step. The gate is held from the first token to the last.
    IEnumerable<int> Tokens(int[] prompt, GenerationSettings settings, CancellationToken cancellation)
    {
        _gate.Wait(cancellation);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            var sampler = new TokenSampler(settings.Sampling);
            float[] logits = [];
            for (int start = 0; start < prompt.Length; start += _forward.MaxRows)
            {
                int count = Math.Min(_forward.MaxRows, prompt.Length - start);
                logits = _forward.Run(prompt.AsSpan(start, count), start, start + count == prompt.Length ? 1 : 0);
            }
            for (int position = prompt.Length, produced = 0; produced < settings.MaxTokens && position < ContextLength; produced++)
            {
                cancellation.ThrowIfCancellationRequested();
                int next = sampler.Next(logits);
                if (settings.StopAtEndOfSequence && next == Tokenizer.EosTokenId) break;
                yield return next;
                if (++position < ContextLength && produced + 1 < settings.MaxTokens)
                    logits = _forward.Run([next], position - 1, 1);
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    void CheckTokens(ReadOnlySpan<int> tokens)
    {
        if (tokens.IsEmpty) throw new ArgumentException("no tokens", nameof(tokens));
        if (tokens.Length > ContextLength)
            throw new ArgumentException($"{tokens.Length} tokens exceed the context of {ContextLength}", nameof(tokens));
        foreach (int id in tokens)
            if ((uint)id >= (uint)Config.VocabSize)
                throw new ArgumentOutOfRangeException(nameof(tokens), $"token id {id} is outside the vocabulary of {Config.VocabSize}");
    }

    public void Dispose()
    {
        _gate.Wait();
        try
        {
            if (_disposed) return;
            _disposed = true;
            _forward.Dispose();
            _weights.Dispose();
            _device.Dispose();
        }
        finally
        {
            _gate.Release();
        }
    }
}
