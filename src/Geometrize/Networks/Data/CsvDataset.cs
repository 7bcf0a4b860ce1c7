using System.Globalization;

namespace Geometrize.Networks.Data;

/// <summary>Whether the first row of a CSV file holds column names.</summary>
public enum CsvHeader
{
    /// <summary>A header when any cell of the first row is not a number.</summary>
    Auto,
    /// <summary>The first row is a header.</summary>
    Present,
    /// <summary>Every row is data; columns are named by their 0-based index.</summary>
    Absent,
}

/// <summary>
/// Tables read from delimited text: one sample per row, numeric feature columns, and one target column.
/// The delimiter (comma, semicolon or tab) is taken from the first row; fields may be double-quoted; numbers use
/// the invariant culture ('.' decimal point). For classification the target may be integers or strings: the
/// distinct values, sorted (numerically when all are numbers), become classes 0, 1, ... and their text the
/// class names.
/// </summary>
public static class CsvDataset
{
    /// <summary>Loads <paramref name="path"/>.</summary>
    /// <param name="path">The CSV file.</param>
    /// <param name="targetColumn">The target's column name, or its 0-based index (negative counts from the end, -1 = last).</param>
    /// <param name="task">Classification (labels) or regression (a real target).</param>
    /// <param name="header">Whether the first row names the columns.</param>
    public static Dataset Load(string path, string targetColumn, LearningTask task, CsvHeader header = CsvHeader.Auto)
    {
        string[] lines;
        try { lines = File.ReadAllLines(path); }
        catch (FileNotFoundException e) { throw new DataFormatException(path, "not found.", e); }
        catch (DirectoryNotFoundException e) { throw new DataFormatException(path, "not found (the folder does not exist).", e); }
        catch (UnauthorizedAccessException e) { throw new DataFormatException(path, "cannot be read (permission denied).", e); }
        catch (IOException e) { throw new DataFormatException(path, $"cannot be read: {e.Message}", e); }

        // Keep 1-based line numbers for messages while skipping blank lines.
        var rows = new List<(int Line, string[] Cells)>();
        char delimiter = ',';
        bool delimiterKnown = false;
        for (int i = 0; i < lines.Length; i++)
        {
            if (string.IsNullOrWhiteSpace(lines[i])) continue;
            if (!delimiterKnown) { delimiter = DetectDelimiter(lines[i]); delimiterKnown = true; }
            rows.Add((i + 1, SplitRow(lines[i], delimiter, path, i + 1)));
        }
        if (rows.Count == 0)
            throw new DataFormatException(path, "is empty; expected a header row and one row per sample.");

        int columns = rows[0].Cells.Length;
        bool hasHeader = header switch
        {
            CsvHeader.Present => true,
            CsvHeader.Absent => false,
            _ => rows[0].Cells.Any(c => !TryNumber(c, out _)),
        };
        string[] names = hasHeader ? rows[0].Cells.Select(c => c.Trim()).ToArray()
                                   : Enumerable.Range(0, columns).Select(i => i.ToString(CultureInfo.InvariantCulture)).ToArray();
        int first = hasHeader ? 1 : 0;
        if (rows.Count == first)
            throw new DataFormatException(path, "has a header but no data rows.");
        if (columns < 2)
            throw new DataFormatException(path, $"has {columns} column; need at least one feature column and the target column (is the delimiter ',', ';' or tab?).");
        int target = ResolveColumn(targetColumn, names, path);

        int n = rows.Count - first, d = columns - 1;
        var x = new float[(long)n * d];
        var targetText = new string[n];
        for (int r = 0; r < n; r++)
        {
            (int line, string[] cells) = rows[first + r];
            if (cells.Length != columns)
                throw new DataFormatException(path, $"line {line} has {cells.Length} fields but the first row has {columns}; every row needs the same number of fields.");
            for (int c = 0, j = 0; c < columns; c++)
            {
                if (c == target) { targetText[r] = cells[c].Trim(); continue; }
                if (!TryNumber(cells[c], out double v))
                    throw new DataFormatException(path, $"line {line}, column '{names[c]}': '{cells[c].Trim()}' is not a number; feature columns must be numeric (invariant culture, '.' decimal point).");
                if (!double.IsFinite(v) || Math.Abs(v) > float.MaxValue)
                    throw new DataFormatException(path, $"line {line}, column '{names[c]}': {cells[c].Trim()} is not a finite single-precision value.");
                x[(long)r * d + j++] = (float)v;
            }
        }
        string name = Path.GetFileNameWithoutExtension(path);
        int[] shape = [d];
        return task == LearningTask.Classification
            ? Classes(name, x, shape, targetText, rows, first, path, names[target])
            : Regression(name, x, shape, targetText, rows, first, path, names[target]);
    }

    private static Dataset Classes(string name, float[] x, int[] shape, string[] text, List<(int Line, string[] Cells)> rows, int first, string path, string column)
    {
        for (int r = 0; r < text.Length; r++)
            if (text[r].Length == 0)
                throw new DataFormatException(path, $"line {rows[first + r].Line}, column '{column}': the class label is empty.");
        string[] distinct = text.Distinct(StringComparer.Ordinal).ToArray();
        bool numeric = distinct.All(t => TryNumber(t, out double v) && double.IsFinite(v));
        string[] classes = numeric
            ? [.. distinct.OrderBy(t => double.Parse(t, NumberStyles.Float, CultureInfo.InvariantCulture))]
            : [.. distinct.OrderBy(t => t, StringComparer.Ordinal)];
        if (numeric && classes.Select(t => double.Parse(t, NumberStyles.Float, CultureInfo.InvariantCulture)).Distinct().Count() != classes.Length)
            throw new DataFormatException(path, $"column '{column}' writes the same class number in two ways (e.g. '1' and '1.0'); write labels consistently.");
        if (classes.Length > 100_000)
            throw new DataFormatException(path, $"column '{column}' has {classes.Length} distinct values; is it really a class label? Use regression for a real target.");
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int k = 0; k < classes.Length; k++) index[classes[k]] = k;
        var y = new int[text.Length];
        for (int r = 0; r < text.Length; r++) y[r] = index[text[r]];
        return Dataset.Wrap(name, x, shape, y, classes.Length, classes);
    }

    private static Dataset Regression(string name, float[] x, int[] shape, string[] text, List<(int Line, string[] Cells)> rows, int first, string path, string column)
    {
        var t = new float[text.Length];
        for (int r = 0; r < text.Length; r++)
        {
            if (!TryNumber(text[r], out double v) || !double.IsFinite(v) || Math.Abs(v) > float.MaxValue)
                throw new DataFormatException(path, $"line {rows[first + r].Line}, column '{column}': '{text[r]}' is not a finite number; a regression target must be numeric.");
            t[r] = (float)v;
        }
        return Dataset.WrapRegression(name, x, shape, t, 1);
    }

    private static int ResolveColumn(string spec, string[] names, string path)
    {
        if (string.IsNullOrWhiteSpace(spec))
            throw new InvalidParameterException("--target", "give the target column's name or 0-based index (-1 for the last).");
        string s = spec.Trim();
        int exact = Array.FindIndex(names, n => string.Equals(n, s, StringComparison.Ordinal));
        if (exact >= 0) return exact;
        int loose = Array.FindIndex(names, n => string.Equals(n, s, StringComparison.OrdinalIgnoreCase));
        if (loose >= 0) return loose;
        if (int.TryParse(s, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int idx))
        {
            int c = idx < 0 ? names.Length + idx : idx;
            if (c >= 0 && c < names.Length) return c;
            throw new DataFormatException(path, $"target column index {idx} is outside the {names.Length} columns (0..{names.Length - 1}, or -1 for the last).");
        }
        throw new DataFormatException(path, $"has no column '{s}'; columns are: {string.Join(", ", names.Select(n => $"'{n}'"))}.");
    }

    private static char DetectDelimiter(string line)
    {
        int commas = line.Count(ch => ch == ','), semis = line.Count(ch => ch == ';'), tabs = line.Count(ch => ch == '\t');
        if (commas >= semis && commas >= tabs) return ',';
        return semis >= tabs ? ';' : '\t';
    }

    /// <summary>Splits one row, honouring double quotes (a doubled quote inside quotes is a literal quote).</summary>
    private static string[] SplitRow(string line, char delimiter, string path, int lineNumber)
    {
        var cells = new List<string>();
        var cell = new System.Text.StringBuilder();
        bool quoted = false;
        for (int i = 0; i < line.Length; i++)
        {
            char ch = line[i];
            if (quoted)
            {
                if (ch == '"')
                {
                    if (i + 1 < line.Length && line[i + 1] == '"') { cell.Append('"'); i++; }
                    else quoted = false;
                }
                else cell.Append(ch);
            }
            else if (ch == '"') quoted = true;
            else if (ch == delimiter) { cells.Add(cell.ToString()); cell.Clear(); }
            else cell.Append(ch);
        }
        if (quoted)
            throw new DataFormatException(path, $"line {lineNumber} has an unclosed double quote.");
        cells.Add(cell.ToString());
        return [.. cells];
    }

    private static bool TryNumber(string s, out double v) =>
        double.TryParse(s.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out v);
}
