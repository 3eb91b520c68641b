namespace QQQ.Formats;

/// <summary>
/// A full-precision model checkpoint opened for reading. Tensors are read one at a time, converted
/// to float32 in the canonical (HF) layout, so that memory does not grow with the model.
/// </summary>
public interface ICheckpoint : IDisposable
{
    /// <summary>The file or folder the checkpoint was opened from.</summary>
    string SourcePath { get; }

    ModelConfig Config { get; }

    /// <summary>Canonical tensor names present (HF naming); <c>lm_head.weight</c> is absent when tied.</summary>
    IReadOnlyCollection<string> TensorNames { get; }

    /// <summary>Shape of a tensor in canonical layout, e.g. (out_features, in_features) for a linear.</summary>
    int[] GetShape(string name);

    /// <summary>Reads a tensor as float32, row-major in its canonical shape.</summary>
    float[] ReadTensor(string name);
}
