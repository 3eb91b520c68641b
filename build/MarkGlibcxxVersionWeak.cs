using System;
using System.IO;
using System.Text;
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;

// Sets VER_FLG_WEAK on one version requirement (e.g. GLIBCXX_3.4.32) in the .gnu.version_r
// section of 64-bit little-endian ELF files. Idempotent: a file already patched is left untouched.
public class MarkGlibcxxVersionWeak : Task
{
    const uint ShtGnuVerneed = 0x6ffffffe;
    const ushort VerFlagWeak = 0x2;

    [Required] public ITaskItem[] Files { get; set; }
    [Required] public string Version { get; set; }

    public override bool Execute()
    {
        foreach (var item in Files)
        {
            try
            {
                var result = Patch(item.ItemSpec);
                Log.LogMessage(MessageImportance.Low, "{0}: {1} {2}", item.ItemSpec, Version, result);
            }
            catch (Exception e) when (e is IOException || e is InvalidDataException || e is UnauthorizedAccessException)
            {
                Log.LogError("QQQ0001: cannot patch {0}: {1}", item.ItemSpec, e.Message);
            }
        }
        return !Log.HasLoggedErrors;
    }

    string Patch(string path)
    {
        byte[] elf = File.ReadAllBytes(path);
        if (elf.Length < 64 || elf[0] != 0x7f || elf[1] != (byte)'E' || elf[2] != (byte)'L' || elf[3] != (byte)'F' || elf[4] != 2 || elf[5] != 1)
            throw new InvalidDataException("not a 64-bit little-endian ELF file");
        ulong sectionTable = ReadU64(elf, 0x28);
        int entrySize = ReadU16(elf, 0x3A), count = ReadU16(elf, 0x3C);
        for (int s = 0; s < count; s++)
        {
            long header = Checked(elf, (long)sectionTable + (long)s * entrySize, 64);
            if (ReadU32(elf, header + 4) != ShtGnuVerneed) continue;
            long offset = (long)ReadU64(elf, header + 24);
            uint linkedStrings = ReadU32(elf, header + 40), needCount = ReadU32(elf, header + 44);
            long stringsHeader = Checked(elf, (long)sectionTable + linkedStrings * (long)entrySize, 64);
            long strings = (long)ReadU64(elf, stringsHeader + 24);
            long need = offset;
            for (uint n = 0; n < needCount; n++)
            {
                Checked(elf, need, 16);
                int auxCount = ReadU16(elf, need + 2);
                long aux = need + ReadU32(elf, need + 8);
                for (int a = 0; a < auxCount; a++)
                {
                    Checked(elf, aux, 16);
                    if (ReadCString(elf, strings + ReadU32(elf, aux + 8)) == Version)
                    {
                        ushort flags = (ushort)ReadU16(elf, aux + 4);
                        if ((flags & VerFlagWeak) != 0) return "already weak";
                        flags |= VerFlagWeak;
                        using (var stream = new FileStream(path, FileMode.Open, FileAccess.Write))
                        {
                            stream.Position = aux + 4;
                            stream.Write(BitConverter.GetBytes(flags), 0, 2);
                        }
                        return "marked weak";
                    }
                    aux += ReadU32(elf, aux + 12);
                }
                need += ReadU32(elf, need + 12);
            }
        }
        return "not required";
    }

    static long Checked(byte[] b, long at, int length)
    {
        if (at < 0 || at + length > b.Length) throw new InvalidDataException("offset out of range");
        return at;
    }
    static int ReadU16(byte[] b, long at) => BitConverter.ToUInt16(b, (int)Checked(b, at, 2));
    static uint ReadU32(byte[] b, long at) => BitConverter.ToUInt32(b, (int)Checked(b, at, 4));
    static ulong ReadU64(byte[] b, long at) => BitConverter.ToUInt64(b, (int)Checked(b, at, 8));
    static string ReadCString(byte[] b, long at)
    {
        long end = Checked(b, at, 1);
        while (end < b.Length && b[end] != 0) end++;
        return Encoding.ASCII.GetString(b, (int)at, (int)(end - at));
    }
}
