using System.Numerics.Tensors;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Geometrize.Networks.Data;

/// <summary>How <see cref="Normalization"/> rescales each feature.</summary>
public enum NormalizationKind
{
    /// <summary>Standardisation: x' = (x − mean) / std, so each feature has mean 0 and variance 1 on the fitted set.</summary>
    Standardize,
    /// <summary>Min-max scaling: x' = (x − min) / (max − min), mapping the fitted range onto [0, 1].</summary>
    MinMax,
}

/// <summary>
/// A per-feature affine map x' = (x − Offset) / Scale fitted on a training set and then applied unchanged to any
/// other set (test data, new inputs to a saved model), so no statistic of the test data leaks into training.
/// Features that are constant on the fitted set (e.g. border pixels) get Scale = 1 instead of a division by zero.
/// </summary>
public sealed class Normalization
{
    /// <summary>Creates a normalisation from saved parameters; <see cref="Scale"/> must be positive and finite.</summary>
    [JsonConstructor]
    public Normalization(NormalizationKind kind, float[] offset, float[] scale)
    {
        ArgumentNullException.ThrowIfNull(offset);
        ArgumentNullException.ThrowIfNull(scale);
        if (offset.Length != scale.Length || offset.Length == 0)
            throw new InvalidParameterException("normalization", $"offset and scale must be non-empty and of equal length, got {offset.Length} and {scale.Length}.");
        for (int j = 0; j < scale.Length; j++)
            if (!(scale[j] > 0) || !float.IsFinite(scale[j]) || !float.IsFinite(offset[j]))
                throw new InvalidParameterException("normalization", $"feature {j} has offset {offset[j]} and scale {scale[j]}; the scale must be positive and both finite.");
        Kind = kind;
        Offset = (float[])offset.Clone();
        Scale = (float[])scale.Clone();
    }

    /// <summary>Standardisation or min-max.</summary>
    [JsonConverter(typeof(JsonStringEnumConverter<NormalizationKind>))]
    public NormalizationKind Kind { get; }

    /// <summary>Per-feature value subtracted first (mean or minimum). Do not modify.</summary>
    public float[] Offset { get; }

    /// <summary>Per-feature divisor (standard deviation or range). Do not modify.</summary>
    public float[] Scale { get; }

    /// <summary>Number of features the map applies to.</summary>
    [JsonIgnore]
    public int FeatureDimension => Offset.Length;

    /// <summary>
    /// Fits the map on <paramref name="train"/>. Statistics accumulate in double; the standard deviation is the
    /// population one (divisor n), as in scikit-learn's StandardScaler.
    /// </summary>
    public static Normalization Fit(Dataset train, NormalizationKind kind = NormalizationKind.Standardize)
    {
        ArgumentNullException.ThrowIfNull(train);
        if (train.Count == 0)
            throw new InvalidParameterException("normalization", $"cannot fit on the empty dataset '{train.Name}'.");
        int d = train.FeatureDimension, n = train.Count;
        ReadOnlySpan<float> x = train.Features;
        var offset = new float[d];
        var scale = new float[d];
        if (kind == NormalizationKind.Standardize)
        {
            var sum = new double[d];
            for (int i = 0; i < n; i++)
            {
                ReadOnlySpan<float> row = x.Slice(i * d, d);
                for (int j = 0; j < d; j++) sum[j] += row[j];
            }
            var mean = new double[d];
            for (int j = 0; j < d; j++) mean[j] = sum[j] / n;
            // Two passes (mean, then squared deviations) avoid the cancellation of E[x²] − E[x]².
            var sq = new double[d];
            for (int i = 0; i < n; i++)
            {
                ReadOnlySpan<float> row = x.Slice(i * d, d);
                for (int j = 0; j < d; j++) { double e = row[j] - mean[j]; sq[j] += e * e; }
            }
            for (int j = 0; j < d; j++)
            {
                offset[j] = (float)mean[j];
                float s = (float)Math.Sqrt(sq[j] / n);
                scale[j] = s > 1e-12f * Math.Max(1f, Math.Abs(offset[j])) ? s : 1f;
            }
        }
        else
        {
            var lo = new float[d];
            var hi = new float[d];
            x[..d].CopyTo(lo);
            x[..d].CopyTo(hi);
            for (int i = 1; i < n; i++)
            {
                ReadOnlySpan<float> row = x.Slice(i * d, d);
                for (int j = 0; j < d; j++) { lo[j] = Math.Min(lo[j], row[j]); hi[j] = Math.Max(hi[j], row[j]); }
            }
            for (int j = 0; j < d; j++)
            {
                offset[j] = lo[j];
                float r = hi[j] - lo[j];
                scale[j] = r > 0 && float.IsFinite(r) ? r : 1f;
            }
        }
        return new Normalization(kind, offset, scale);
    }

    /// <summary>The dataset with normalised features (labels, targets and names unchanged).</summary>
    public Dataset Apply(Dataset data)
    {
        ArgumentNullException.ThrowIfNull(data);
        CheckDimension(data.FeatureDimension, data.Name);
        var f = data.Features.ToArray();
        ApplyInPlace(f);
        return data.WithFeatures(f);
    }

    /// <summary>Normalises row-major feature rows in place (e.g. a batch or a single new input).</summary>
    public void ApplyInPlace(Span<float> rows)
    {
        int d = FeatureDimension;
        if (rows.Length % d != 0)
            throw new ArgumentException($"{rows.Length} values are not whole rows of {d} features.", nameof(rows));
        for (int i = 0; i < rows.Length; i += d)
        {
            Span<float> row = rows.Slice(i, d);
            TensorPrimitives.Subtract(row, Offset, row);
            TensorPrimitives.Divide(row, Scale, row);
        }
    }

    /// <summary>Undoes <see cref="ApplyInPlace"/> (for plotting in the original units).</summary>
    public void InvertInPlace(Span<float> rows)
    {
        int d = FeatureDimension;
        if (rows.Length % d != 0)
            throw new ArgumentException($"{rows.Length} values are not whole rows of {d} features.", nameof(rows));
        for (int i = 0; i < rows.Length; i += d)
        {
            Span<float> row = rows.Slice(i, d);
            TensorPrimitives.FusedMultiplyAdd(row, Scale, Offset, row);
        }
    }

    /// <summary>JSON form <c>{"kind":"Standardize","offset":[...],"scale":[...]}</c>, stored beside a model.</summary>
    public string ToJson() => JsonSerializer.Serialize(this, JsonOptions);

    /// <summary>Reads the JSON written by <see cref="ToJson"/>; <paramref name="source"/> names the file in errors.</summary>
    public static Normalization FromJson(string json, string source)
    {
        try
        {
            return JsonSerializer.Deserialize<Normalization>(json, JsonOptions)
                ?? throw new DataFormatException(source, "normalisation is null; expected {\"kind\", \"offset\", \"scale\"}.");
        }
        catch (JsonException e)
        {
            throw new DataFormatException(source, $"invalid normalisation JSON: {e.Message}", e);
        }
        catch (InvalidParameterException e)
        {
            throw new DataFormatException(source, e.Message, e);
        }
        catch (ArgumentNullException e)
        {
            throw new DataFormatException(source, "normalisation lacks \"offset\" or \"scale\".", e);
        }
    }

    private static readonly JsonSerializerOptions JsonOptions = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        RespectRequiredConstructorParameters = true,
    };

    private void CheckDimension(int d, string name)
    {
        if (d != FeatureDimension)
            throw new GridMismatchException($"the normalisation was fitted on {FeatureDimension} features but dataset '{name}' has {d}.");
    }
}
