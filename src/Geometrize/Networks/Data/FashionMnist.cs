using System.Numerics.Tensors;

namespace Geometrize.Networks.Data;

/// <summary>
/// Fashion-MNIST (Xiao, Rasul and Vollgraf 2017): 28×28 grey-level images of clothing in 10 classes, 60 000 for
/// training and 10 000 for testing, distributed as IDX files (gzip-compressed or not). Pixels are scaled to
/// [0, 1]; each sample has feature shape [1, 28, 28] (channel, row, column).
/// </summary>
public static class FashionMnist
{
    /// <summary>Where the files are looked for after an explicit option: the shared data folder, then Debian's package.</summary>
    public const string SystemDirectory = "/usr/share/datasets/fashion-mnist";

    /// <summary>The ten class names in label order.</summary>
    public static IReadOnlyList<string> ClassNames { get; } =
        ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"];

    /// <summary>
    /// Loads the training (<paramref name="train"/>) or test split from <paramref name="directory"/>, keeping the
    /// first <paramref name="limit"/> samples when it is positive (−1: all). File names are the standard
    /// <c>{train|t10k}-{images-idx3|labels-idx1}-ubyte</c>, with or without <c>.gz</c>.
    /// </summary>
    public static Dataset Load(string directory, bool train, int limit = -1)
    {
        if (limit == 0 || limit < -1)
            throw new InvalidParameterException("limit", $"must be a positive number of samples, or -1 for the whole split; got {limit}.");
        string prefix = train ? "train" : "t10k";
        string imagesPath = FindFile(directory, $"{prefix}-images-idx3-ubyte");
        string labelsPath = FindFile(directory, $"{prefix}-labels-idx1-ubyte");
        IdxArray images = IdxReader.ReadImages(imagesPath, limit);
        IdxArray labels = IdxReader.ReadLabels(labelsPath, limit);
        // Compare the full counts from the headers: a limited read of mismatched files must still fail.
        if (images.StoredCount != labels.StoredCount)
            throw new DataFormatException(imagesPath, $"holds {images.StoredCount} images but {labelsPath} holds {labels.StoredCount} labels; the two files must come from the same split.");
        int labelCount = labels.Dimensions[0];
        if (images.Dimensions[1] != 28 || images.Dimensions[2] != 28)
            throw new DataFormatException(imagesPath, $"images are {images.Dimensions[1]}×{images.Dimensions[2]}; Fashion-MNIST images are 28×28.");
        var y = new int[labelCount];
        for (int i = 0; i < y.Length; i++)
        {
            y[i] = labels.Data[i];
            if (y[i] > 9)
                throw new DataFormatException(labelsPath, $"label {y[i]} of sample {i} is not a Fashion-MNIST class (0–9).");
        }
        byte[] px = images.Data;
        var x = new float[px.Length];
        // Divide rather than multiply by 1/255: every value is then the correctly rounded p/255, and 255 maps to exactly 1.
        TensorPrimitives.ConvertTruncating<byte, float>(px, x);
        TensorPrimitives.Divide(x, 255f, x);
        return Dataset.Wrap(train ? "fashion-mnist-train" : "fashion-mnist-test", x, [1, 28, 28], y, 10, [.. ClassNames]);
    }

    /// <summary>
    /// The folder to load from: <paramref name="option"/> when given (it must exist), else the first existing of
    /// <c>../shared/data/fashion-mnist</c> relative to the working directory, the same relative to the repository
    /// root above the executable, and <see cref="SystemDirectory"/>. Throws naming every place tried.
    /// </summary>
    public static string ResolveDirectory(string? option)
    {
        if (!string.IsNullOrWhiteSpace(option))
        {
            if (HasFiles(option)) return Path.GetFullPath(option);
            throw new InvalidParameterException("--data", Directory.Exists(option)
                ? $"the folder '{option}' holds no Fashion-MNIST IDX files (train-images-idx3-ubyte[.gz], t10k-images-idx3-ubyte[.gz], ...)."
                : $"the folder '{option}' does not exist; give the folder holding the Fashion-MNIST IDX files.");
        }
        var tried = new List<string>();
        foreach (string candidate in Candidates())
        {
            string full = Path.GetFullPath(candidate);
            if (tried.Contains(full)) continue;
            tried.Add(full);
            if (HasFiles(full)) return full;
        }
        throw new GeometrizeException(
            $"Fashion-MNIST not found; looked in {string.Join(", ", tried)}. Pass the folder holding the IDX files " +
            $"(e.g. --data fashion-mnist:PATH) or install the Debian package dataset-fashion-mnist.");
    }

    private static IEnumerable<string> Candidates()
    {
        string rel = Path.Combine("..", "shared", "data", "fashion-mnist");
        yield return Path.Combine(Directory.GetCurrentDirectory(), rel);
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Geometrize.slnx")))
            {
                yield return Path.Combine(dir.FullName, rel);
                break;
            }
        yield return SystemDirectory;
    }

    private static bool HasFiles(string dir) =>
        Directory.Exists(dir) && (TryFind(dir, "train-images-idx3-ubyte") != null || TryFind(dir, "t10k-images-idx3-ubyte") != null);

    private static string? TryFind(string dir, string stem)
    {
        foreach (string name in new[] { stem + ".gz", stem, stem.Replace("-idx", ".idx") + ".gz", stem.Replace("-idx", ".idx") })
        {
            string p = Path.Combine(dir, name);
            if (File.Exists(p)) return p;
        }
        return null;
    }

    private static string FindFile(string dir, string stem) =>
        TryFind(dir, stem) ?? throw new DataFormatException(Path.Combine(dir, stem + ".gz"),
            $"not found (nor {stem} without .gz); the folder must hold the four Fashion-MNIST IDX files.");
}
