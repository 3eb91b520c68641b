using System.Text.Json.Serialization;

namespace QQQ.Quantization.Pipeline;

/// <summary>How smoothing is chosen: the QQQ adaptive search, or none (ablation baseline).</summary>
public enum SmoothingMode { Adaptive, None }

/// <summary>How weights are rounded to int4: GPTQ compensation, or round-to-nearest (ablation baseline).</summary>
public enum WeightMethod { Gptq, Rtn }

/// <summary>Everything that decides a quantized model besides the source weights and calibration text.</summary>
public sealed record QuantizationSettings
{
    /// <summary>0 = per-channel; 128 (also 64, 32) = per-group with that group size.</summary>
    public int GroupSize { get; init; }
    public SmoothingMode Smoothing { get; init; } = SmoothingMode.Adaptive;
    public WeightMethod Weights { get; init; } = WeightMethod.Gptq;
    public int Samples { get; init; } = 128;
    public int SequenceLength { get; init; } = 512;
    public int Seed { get; init; }
    /// <summary>Calibration windows the smoothing search uses (the reference searches on one batch).</summary>
    public int SmoothingSamples { get; init; } = 8;
    public double Dampening { get; init; } = 0.01;
    public int BlockSize { get; init; } = 128;
    public bool ActOrder { get; init; } = true;
    /// <summary>
    /// Search every smoothing threshold candidate, as the reference does, instead of coarse-to-fine (which a test
    /// shows picks the same thresholds on the project's models). Left out of the settings hash: it is meant to
    /// change the time, not the result. For tests.
    /// </summary>
    [JsonIgnore]
    public bool FullGridSmoothingSearch { get; init; }

    public bool PerGroup => GroupSize > 0;
}
