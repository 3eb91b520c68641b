using System.Diagnostics;
using QQQ.Formats;
using QQQ.Quantization.Gptq;
using QQQ.Quantization.Reference;
using QQQ.Quantization.Smoothing;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace QQQ.Quantization.Pipeline;

/// <summary>
/// QQQ quantization of a whole model, one decoder layer at a time (only one layer's weights and the
/// calibration hidden states are held; memory does not grow with depth). Per layer:
/// 1. adaptive smoothing at the four points (qqq-method.md §2) on the smoothing stream — hidden states
///    that flowed through the earlier layers with fake-quantized weights (RTN) and activations;
/// 2. GPTQ (§3) of the seven smoothed linears from Hessians of the GPTQ stream — full-precision
///    activations that flowed through the already-quantized earlier layers;
/// 3. both streams advance through the layer.
/// </summary>
public sealed class LayerwiseQuantizer(QuantizationSettings settings, Action<string>? log = null)
{
    const int BatchWindows = 8;

    public QuantizedModel Quantize(ICheckpoint checkpoint, int[][] calibration, CancellationToken cancellation = default)
    {
        var config = checkpoint.Config;
        if (settings.PerGroup)
            foreach (var (name, k) in new[] { ("hidden_size", config.HiddenSize), ("intermediate_size", config.IntermediateSize) })
                if (k % settings.GroupSize != 0)
                    throw new ArgumentException(
                        $"{name} {k} is not divisible by the group size {settings.GroupSize}: use per-channel granularity or another group size");
        using var noGrad = no_grad();
        using var embedding = CheckpointTensors.Read(checkpoint, "model.embed_tokens.weight");
        CheckpointTensors.RequireFinite(embedding, checkpoint.SourcePath, "model.embed_tokens.weight");
        int length = calibration[0].Length;
        var (cos, sin) = RotaryEmbedding.Tables(length, config.HeadDim, config.RopeTheta);
        using var cosTable = cos;
        using var sinTable = sin;

        // Hidden states (windows, T, hidden) of both streams; the smoothing stream uses the first windows only.
        var gptqStream = Embed(embedding, calibration, config);
        var smoothingStream = settings.Smoothing == SmoothingMode.Adaptive
            ? gptqStream.narrow(0, 0, Math.Min(settings.SmoothingSamples, calibration.Length)).clone()
            : null;

        var layers = new List<QuantizedLayer>();
        for (int index = 0; index < config.NumLayers; index++)
        {
            cancellation.ThrowIfCancellationRequested();
            var clock = Stopwatch.StartNew();
            using var weights = DecoderLayerWeights.Read(checkpoint, index);
            weights.RequireFinite(checkpoint.SourcePath, index);
            var reports = smoothingStream is null ? [] : Smooth(smoothingStream, weights, config, cosTable, sinTable);
            double smoothingSeconds = clock.Elapsed.TotalSeconds;
            cancellation.ThrowIfCancellationRequested();
            var linears = QuantizeLinears(gptqStream, weights, config, cosTable, sinTable, index);
            double weightSeconds = clock.Elapsed.TotalSeconds - smoothingSeconds;

            using var quantized = WithWeights(weights, linears);
            var nextGptq = Advance(gptqStream, x => LlamaBlocks.DecoderLayer(x, quantized, config, cosTable, sinTable));
            gptqStream.Dispose();
            gptqStream = nextGptq;
            if (smoothingStream is not null)
            {
                var nextSmoothing = Advance(smoothingStream, x => FakeQuantizedLayer(x, weights, config, cosTable, sinTable));
                smoothingStream.Dispose();
                smoothingStream = nextSmoothing;
            }

            var biases = new Dictionary<string, float[]>();
            if (weights.QBias is not null) biases[LinearNames.Q] = weights.QBias.data<float>().ToArray();
            if (weights.KBias is not null) biases[LinearNames.K] = weights.KBias.data<float>().ToArray();
            if (weights.VBias is not null) biases[LinearNames.V] = weights.VBias.data<float>().ToArray();
            layers.Add(new QuantizedLayer(weights.InputNorm.data<float>().ToArray(), weights.PostAttentionNorm.data<float>().ToArray(),
                linears, biases, reports, clock.Elapsed.TotalSeconds));
            log?.Invoke($"layer {index + 1}/{config.NumLayers} quantized in {clock.Elapsed.TotalSeconds:F1} s " +
                $"(smoothing {smoothingSeconds:F1} s, {settings.Weights.ToString().ToUpperInvariant()} {weightSeconds:F1} s, " +
                $"propagation {clock.Elapsed.TotalSeconds - smoothingSeconds - weightSeconds:F1} s)" +
                (reports.Count == 0 ? "" : "; smoothing thresholds " + string.Join(", ", reports.Select(r => $"{r.Point} {r.Threshold:G4} ({r.Evaluated}/{r.Candidates} evaluated)"))));
        }
        gptqStream.Dispose();
        smoothingStream?.Dispose();

        var finalNorm = checkpoint.ReadTensor("model.norm.weight");
        var lmHead = config.TiedEmbeddings ? null : checkpoint.ReadTensor("lm_head.weight");
        if (!finalNorm.All(float.IsFinite) || (lmHead is not null && !lmHead.All(float.IsFinite)))
            throw new ModelFormatException(checkpoint.SourcePath, "model.norm.weight or lm_head.weight contains NaN or infinite values");
        return new QuantizedModel(config, settings, embedding.data<float>().ToArray(), finalNorm, lmHead, layers);
    }

    static Tensor Embed(Tensor embedding, int[][] windows, ModelConfig config)
    {
        var ids = tensor(windows.SelectMany(w => w.Select(t => (long)t)).ToArray(), [windows.Length * windows[0].Length]);
        return embedding.index_select(0, ids).view(windows.Length, windows[0].Length, config.HiddenSize);
    }

    /// <summary>Runs <paramref name="layer"/> over the stream in batches of windows. stream: (windows, T, hidden).</summary>
    static Tensor Advance(Tensor stream, Func<Tensor, Tensor> layer)
    {
        var parts = new List<Tensor>();
        for (long start = 0; start < stream.shape[0]; start += BatchWindows)
        {
            using var scope = NewDisposeScope();
            parts.Add(layer(stream.narrow(0, start, Math.Min(BatchWindows, stream.shape[0] - start))).MoveToOuterDisposeScope());
        }
        var result = cat(parts.ToArray(), 0);
        foreach (var part in parts) part.Dispose();
        return result;
    }

    /// <summary>The four smoothing points of one layer; folds each chosen scale into the weights in place.</summary>
    internal List<SmoothingReport> Smooth(Tensor x, DecoderLayerWeights w, ModelConfig config, Tensor cos, Tensor sin)
    {
        using var scope = NewDisposeScope();
        var reports = new List<SmoothingReport>();
        int weightGroup = settings.GroupSize;
        bool fullGrid = settings.FullGridSmoothingSearch;
        long qRows = w.QProj.shape[0], kvRows = w.KProj.shape[0];

        // 1. input_layernorm output -> q, k, v; loss on the attention output.
        var a1 = LlamaBlocks.RmsNorm(x, w.InputNorm, config.RmsNormEps);
        var qkvSearch = new ThresholdSearch((input, qkv) => LlamaBlocks.AttentionCore(input, w, config, cos, sin,
            qkv.narrow(0, 0, qRows), qkv.narrow(0, qRows, kvRows), qkv.narrow(0, qRows + kvRows, kvRows)), weightGroup) { FullGrid = fullGrid };
        var s1 = qkvSearch.Search(a1, cat([w.QProj, w.KProj, w.VProj], 0));
        reports.Add(SmoothingReports.From("qkv", s1));
        w.InputNorm.div_(s1.Scales);
        foreach (var linear in new[] { w.QProj, w.KProj, w.VProj }) linear.mul_(s1.Scales);

        // 2. attention output -> o_proj, folded into v_proj rows: only when every query head has its own v head.
        var attention = LlamaBlocks.AttentionCore(LlamaBlocks.RmsNorm(x, w.InputNorm, config.RmsNormEps), w, config, cos, sin);
        if (config.NumKeyValueHeads == config.NumHeads)
        {
            var s2 = new ThresholdSearch((input, o) => F.linear(input, o), weightGroup) { FullGrid = fullGrid }.Search(attention, w.OProj);
            reports.Add(SmoothingReports.From("o_proj", s2));
            w.VProj.div_(s2.Scales.unsqueeze(1));
            w.VBias?.div_(s2.Scales);
            w.OProj.mul_(s2.Scales);
            attention = LlamaBlocks.AttentionCore(LlamaBlocks.RmsNorm(x, w.InputNorm, config.RmsNormEps), w, config, cos, sin);
        }

        // 3. post_attention_layernorm output -> gate, up; loss on act(gate) * up.
        var h = x + F.linear(attention, w.OProj);
        var a3 = LlamaBlocks.RmsNorm(h, w.PostAttentionNorm, config.RmsNormEps);
        long inter = w.GateProj.shape[0];
        var gateUpSearch = new ThresholdSearch((input, gu) =>
            LlamaBlocks.GatedActivation(input, gu.narrow(0, 0, inter), gu.narrow(0, inter, inter)), weightGroup) { FullGrid = fullGrid };
        var s3 = gateUpSearch.Search(a3, cat([w.GateProj, w.UpProj], 0));
        reports.Add(SmoothingReports.From("gate_up", s3));
        w.PostAttentionNorm.div_(s3.Scales);
        w.GateProj.mul_(s3.Scales);
        w.UpProj.mul_(s3.Scales);

        // 4. act(gate) * up -> down_proj, folded into up_proj rows.
        var a4 = LlamaBlocks.GatedActivation(LlamaBlocks.RmsNorm(h, w.PostAttentionNorm, config.RmsNormEps), w.GateProj, w.UpProj);
        var s4 = new ThresholdSearch((input, down) => F.linear(input, down), weightGroup) { FullGrid = fullGrid }.Search(a4, w.DownProj);
        reports.Add(SmoothingReports.From("down_proj", s4));
        w.UpProj.div_(s4.Scales.unsqueeze(1));
        w.DownProj.mul_(s4.Scales);
        return reports;
    }

    /// <summary>Hessians of the four linear inputs from one full-precision pass, then GPTQ (or RTN) per linear.</summary>
    List<QuantizedLinear> QuantizeLinears(Tensor stream, DecoderLayerWeights w, ModelConfig config, Tensor cos, Tensor sin, int index)
    {
        var byName = new Dictionary<string, Tensor>
        {
            [LinearNames.Q] = w.QProj, [LinearNames.K] = w.KProj, [LinearNames.V] = w.VProj, [LinearNames.O] = w.OProj,
            [LinearNames.Gate] = w.GateProj, [LinearNames.Up] = w.UpProj, [LinearNames.Down] = w.DownProj,
        };
        var grid = settings.PerGroup ? WeightGrid.Grouped : WeightGrid.PerChannel;
        string prefix = DecoderLayerWeights.Prefix(index);
        if (settings.Weights == WeightMethod.Rtn)
            return LinearNames.All.Select(n => RoundToNearest(prefix + n, byName[n], grid)).ToList();

        using var qkvInput = new HessianAccumulator(config.HiddenSize);
        using var oInput = new HessianAccumulator(config.NumHeads * config.HeadDim);
        using var gateUpInput = new HessianAccumulator(config.HiddenSize);
        using var downInput = new HessianAccumulator(config.IntermediateSize);
        for (long start = 0; start < stream.shape[0]; start += BatchWindows)
        {
            using var scope = NewDisposeScope();
            var x = stream.narrow(0, start, Math.Min(BatchWindows, stream.shape[0] - start));
            var a1 = LlamaBlocks.RmsNorm(x, w.InputNorm, config.RmsNormEps);
            qkvInput.Add(a1);
            var attention = LlamaBlocks.AttentionCore(a1, w, config, cos, sin);
            oInput.Add(attention);
            var a3 = LlamaBlocks.RmsNorm(x + F.linear(attention, w.OProj), w.PostAttentionNorm, config.RmsNormEps);
            gateUpInput.Add(a3);
            downInput.Add(LlamaBlocks.GatedActivation(a3, w.GateProj, w.UpProj));
        }
        var hessianOf = new Dictionary<string, HessianAccumulator>
        {
            [LinearNames.Q] = qkvInput, [LinearNames.K] = qkvInput, [LinearNames.V] = qkvInput, [LinearNames.O] = oInput,
            [LinearNames.Gate] = gateUpInput, [LinearNames.Up] = gateUpInput, [LinearNames.Down] = downInput,
        };
        var gptq = new GptqQuantizer(grid, settings.GroupSize, settings.Dampening, settings.BlockSize, settings.ActOrder);
        var result = new List<QuantizedLinear>();
        foreach (var name in LinearNames.All)
        {
            using var hessian = hessianOf[name].Snapshot();
            using var quantized = gptq.Quantize(byName[name], hessian);
            result.Add(ToLinear(prefix + name, quantized.Codes, quantized.Scales, quantized.Error));
        }
        return result;
    }

    QuantizedLinear RoundToNearest(string name, Tensor weight, WeightGrid grid)
    {
        using var scope = NewDisposeScope();
        long rows = weight.shape[0], columns = weight.shape[1];
        int group = settings.PerGroup ? settings.GroupSize : (int)columns;
        var grouped = weight.reshape(rows * (columns / group), group);
        var scales = grid.Scales(grouped);
        var codes = grid.Codes(grouped, scales).reshape(rows, columns);
        return ToLinear(name, codes, scales.reshape(rows, columns / group), 0);
    }

    QuantizedLinear ToLinear(string name, Tensor codes, Tensor scales, double error) =>
        new(name, (int)codes.shape[0], (int)codes.shape[1], settings.GroupSize,
            codes.to_type(ScalarType.Int8).data<sbyte>().ToArray(), scales.contiguous().data<float>().ToArray(), error);

    /// <summary>A copy of the layer whose seven linears are the dequantized quantized weights.</summary>
    static DecoderLayerWeights WithWeights(DecoderLayerWeights w, IReadOnlyList<QuantizedLinear> linears)
    {
        Tensor Linear(string name)
        {
            var l = linears.Single(q => q.Name.EndsWith(name, StringComparison.Ordinal));
            return tensor(l.Dequantize(), [l.Rows, l.Columns]);
        }
        return new DecoderLayerWeights
        {
            InputNorm = w.InputNorm.clone(), PostAttentionNorm = w.PostAttentionNorm.clone(),
            QProj = Linear(LinearNames.Q), KProj = Linear(LinearNames.K), VProj = Linear(LinearNames.V), OProj = Linear(LinearNames.O),
            GateProj = Linear(LinearNames.Gate), UpProj = Linear(LinearNames.Up), DownProj = Linear(LinearNames.Down),
            QBias = w.QBias?.clone(), KBias = w.KBias?.clone(), VBias = w.VBias?.clone(),
        };
    }

    /// <summary>
    /// The layer as the smoothing stage sees it: smoothed weights fake-quantized to int4 (RTN) and every
    /// linear input fake-quantized per token to int8. x: (batch, T, hidden).
    /// </summary>
    Tensor FakeQuantizedLayer(Tensor x, DecoderLayerWeights w, ModelConfig config, Tensor cos, Tensor sin)
    {
        using var scope = NewDisposeScope();
        int g = settings.GroupSize;
        Tensor Q(Tensor weight) => FakeQuant.Weights(weight, g);
        var a1 = FakeQuant.PerToken(LlamaBlocks.RmsNorm(x, w.InputNorm, config.RmsNormEps));
        var attention = LlamaBlocks.AttentionCore(a1, w, config, cos, sin, Q(w.QProj), Q(w.KProj), Q(w.VProj));
        var h = x + F.linear(FakeQuant.PerToken(attention), Q(w.OProj));
        var a3 = FakeQuant.PerToken(LlamaBlocks.RmsNorm(h, w.PostAttentionNorm, config.RmsNormEps));
        var a4 = FakeQuant.PerToken(LlamaBlocks.GatedActivation(a3, Q(w.GateProj), Q(w.UpProj)));
        return (h + F.linear(a4, Q(w.DownProj))).MoveToOuterDisposeScope();
    }
}
