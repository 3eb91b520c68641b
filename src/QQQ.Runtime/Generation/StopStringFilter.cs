namespace QQQ.Runtime.Generation;

/// <summary>
/// Passes generated text through until a stop string appears, holding back just enough characters to
/// never emit the start of a stop string that later completes.
/// </summary>
public sealed class StopStringFilter(IReadOnlyList<string> stopStrings)
{
    readonly int _holdBack = stopStrings.Count == 0 ? 0 : stopStrings.Max(s => s.Length) - 1;
    string _held = "";

    /// <summary>Adds a piece; returns the text now safe to show and whether a stop string was reached.</summary>
    public (string Visible, bool Stopped) Push(string piece)
    {
        _held += piece;
        int stop = stopStrings.Select(s => _held.IndexOf(s, StringComparison.Ordinal)).Where(i => i >= 0).DefaultIfEmpty(-1).Min();
        if (stop >= 0)
        {
            var visible = _held[..stop];
            _held = "";
            return (visible, true);
        }
        int keep = Math.Min(_holdBack, _held.Length);
        var shown = _held[..^keep];
        _held = _held[^keep..];
        return (shown, false);
    }

    /// <summary>The text still held back plus a final piece, at the end of generation.</summary>
    public string Finish(string piece)
    {
        var (visible, stopped) = Push(piece);
        if (stopped) return visible;
        var rest = visible + _held;
        _held = "";
        return rest;
    }
}
