namespace QQQ.Bench;

/// <summary>Sizes of one decoder layer that the layer self-test runs every kernel at.</summary>
sealed record LayerShape(string Name, int Hidden, int Intermediate, int Heads, int KeyValueHeads, int HeadDim, int Vocab)
{
    /// <summary>LLaMA-2-7B: 32 heads of 128 without GQA, SwiGLU 11008, vocab 32000.</summary>
    public static readonly LayerShape Llama2_7B = new("llama2-7b", 4096, 11008, 32, 32, 128, 32000);

    /// <summary>
    /// Off every multiple the kernels work in: rows of 300 and 200 end in a partly filled warp, head_dim 40 gives lanes
    /// 0-7 of a warp two dims and the others one, 3 query heads share a kv head, vocab 37 ends in a partial group of
    /// lm_head's 4 vocab rows.
    /// </summary>
    public static readonly LayerShape Odd = new("odd", 300, 200, 3, 1, 40, 37);

    public override string ToString() =>
        $"{Name}: hidden {Hidden}, intermediate {Intermediate}, heads {Heads}/{KeyValueHeads} kv of {HeadDim}, vocab {Vocab}";
}
