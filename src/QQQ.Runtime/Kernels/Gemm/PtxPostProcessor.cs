using System.Text.RegularExpressions;

namespace QQQ.Runtime.Kernels.Gemm;

/// <summary>
/// Text rewrites applied to ILGPU 1.5.3's PTX before it is loaded (pure string to string, so CI can check them
/// on PTX compiled without a GPU).
/// <para>
/// ILGPU passes every CudaAsm operand through its own stack slot: <c>.local .align 4 .b8 __local_depotN[4]</c>,
/// whose address lands in a register once (<c>mov.b64 %rdX, __local_depotN</c>) and which is then only stored
/// and loaded whole (<c>st.local.b32 [%rdX], v</c> / <c>ld.local.b32 v, [%rdX]</c>). ptxas at -O1 (ILGPU's
/// default) keeps these in local memory: a 696-byte stack frame and 25x lower throughput in the project's
/// measurements. <see cref="PromoteLocalSlots"/> turns each such slot into a register and its loads and stores
/// into moves. A slot is only rewritten when that is provably the whole story: its address register is written
/// once, by that mov, and every other use is a whole-slot ld.local/st.local of the slot's width. Anything else
/// (arrays, offsets, pointer arithmetic, partial accesses) is left alone.
/// </para>
/// </summary>
internal static partial class PtxPostProcessor
{
    /// <summary>Both rewrites, in the order the loader applies them.</summary>
    public static string Apply(string ptx) => AlignDynamicSharedMemory(PromoteLocalSlots(ptx));

    /// <summary>
    /// Raises the alignment of ILGPU's dynamic shared memory declaration (<c>.align 4</c>) to at least 16 bytes,
    /// which cp.async with 16-byte copies and any vectorized shared access require of their addresses.
    /// </summary>
    public static string AlignDynamicSharedMemory(string ptx) =>
        DynamicSharedDeclaration().Replace(ptx, match =>
            $"{match.Groups["head"].Value}{Math.Max(16, int.Parse(match.Groups["align"].Value))}{match.Groups["tail"].Value}");

    /// <summary>Rewrites every scalar <c>.local</c> slot of every function into a <c>.reg</c>; see the class summary.</summary>
    public static string PromoteLocalSlots(string ptx)
    {
        var lines = ptx.Split('\n');
        int depth = 0, bodyStart = -1;
        for (int i = 0; i < lines.Length; i++)
        {
            int before = depth;
            foreach (char c in lines[i])
            {
                if (c == '{') depth++;
                else if (c == '}') depth--;
            }
            if (before == 0 && depth > 0) bodyStart = i;
            else if (before > 0 && depth == 0 && bodyStart >= 0)
            {
                PromoteInFunction(lines, bodyStart, i);
                bodyStart = -1;
            }
        }
        return string.Join('\n', lines);
    }

    /// <summary>Rewrites the slots of one function body, lines [first, last], in place.</summary>
    static void PromoteInFunction(string[] lines, int first, int last)
    {
        var declarations = new Dictionary<string, (int Line, int Bytes)>();
        var addressMoves = new Dictionary<string, List<(int Line, string Register)>>();
        for (int i = first; i <= last; i++)
        {
            var declaration = LocalDeclaration().Match(lines[i]);
            if (declaration.Success)
                declarations[declaration.Groups["slot"].Value] = (i, int.Parse(declaration.Groups["bytes"].Value));
            var move = AddressMove().Match(lines[i]);
            if (move.Success)
            {
                string slot = move.Groups["slot"].Value;
                if (!addressMoves.TryGetValue(slot, out var moves)) addressMoves[slot] = moves = [];
                moves.Add((i, move.Groups["reg"].Value));
            }
        }

        foreach (var (slot, (declarationLine, bytes)) in declarations)
        {
            if (!addressMoves.TryGetValue(slot, out var moves) || moves.Count != 1) continue;
            var (moveLine, register) = moves[0];
            var rewrites = TryRewriteAccesses(lines, first, last, slot, register, declarationLine, moveLine, bytes);
            if (rewrites is null) continue;

            string name = "%qqq_" + slot.TrimStart('_');
            string indent = Indentation(lines[declarationLine]);
            lines[declarationLine] = $"{indent}.reg .b{bytes * 8} {name};";
            lines[moveLine] = $"{Indentation(lines[moveLine])}// {name}: register in place of a local slot";
            foreach (var (line, text) in rewrites) lines[line] = text.Replace("%SLOT", name);
        }
    }

    /// <summary>The replacement text of every access of the slot, or null if any use is not a whole-slot access.</summary>
    static List<(int Line, string Text)>? TryRewriteAccesses(
        string[] lines, int first, int last, string slot, string register, int declarationLine, int moveLine, int bytes)
    {
        if (bytes is not (2 or 4 or 8)) return null;
        var registerUse = new Regex(Regex.Escape(register) + @"(?![0-9A-Za-z_$])");
        var slotUse = new Regex(Regex.Escape(slot) + @"(?![0-9A-Za-z_$])");
        var rewrites = new List<(int, string)>();
        for (int i = first; i <= last; i++)
        {
            if (i == declarationLine || i == moveLine) continue;
            if (slotUse.IsMatch(lines[i])) return null;
            if (!registerUse.IsMatch(lines[i])) continue;

            var load = LocalLoad().Match(lines[i]);
            if (load.Success && load.Groups["addr"].Value == register && Width(load) == bytes * 8)
            {
                rewrites.Add((i, $"{Indentation(lines[i])}mov.b{bytes * 8}\t{load.Groups["dst"].Value}, %SLOT;"));
                continue;
            }
            var store = LocalStore().Match(lines[i]);
            if (store.Success && store.Groups["addr"].Value == register && Width(store) == bytes * 8
                && !registerUse.IsMatch(store.Groups["src"].Value))
            {
                rewrites.Add((i, $"{Indentation(lines[i])}mov.b{bytes * 8}\t%SLOT, {store.Groups["src"].Value.Trim()};"));
                continue;
            }
            return null;
        }
        return rewrites;
    }

    static int Width(Match access) => int.Parse(access.Groups["width"].Value);

    static string Indentation(string line) => line[..(line.Length - line.TrimStart().Length)];

    [GeneratedRegex(@"^\s*\.local\s+\.align\s+\d+\s+\.b8\s+(?<slot>__local_depot\d+)\[(?<bytes>\d+)\];\s*$")]
    private static partial Regex LocalDeclaration();

    [GeneratedRegex(@"^\s*mov\.[bu]64\s+(?<reg>%\w+),\s*(?<slot>__local_depot\d+);\s*$")]
    private static partial Regex AddressMove();

    [GeneratedRegex(@"^\s*ld\.local\.[bsuf](?<width>\d+)\s+(?<dst>%\w+),\s*\[(?<addr>%\w+)\];\s*$")]
    private static partial Regex LocalLoad();

    [GeneratedRegex(@"^\s*st\.local\.[bsuf](?<width>\d+)\s+\[(?<addr>%\w+)\],\s*(?<src>[^;]+);\s*$")]
    private static partial Regex LocalStore();

    [GeneratedRegex(@"(?<head>\.extern\s+\.shared\s+\.align\s+)(?<align>\d+)(?<tail>\s+\.b8\s+__dyn_shared_alloca\[\])")]
    private static partial Regex DynamicSharedDeclaration();
}
