namespace QQQ.Runtime.Tests.Layers;

/// <summary>Values written into output buffers before a launch so that unwritten elements show up.</summary>
static class Poison
{
    /// <summary>-128 is never produced by symmetric per-token quantization (|x| / s_tok is at most 127).</summary>
    public const sbyte Int8 = sbyte.MinValue;
}
