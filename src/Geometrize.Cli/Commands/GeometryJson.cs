using System.Text.Json.Nodes;
using Geometrize.Analysis;

namespace Geometrize.Cli.Commands;

/// <summary>
/// The <c>geometry.json</c> document of <c>net geometry</c>. A measure that does not apply to the model (trajectory
/// and parameter curve for an MLP or logistic regression, Fisher–Rao for regression) or that was skipped (a count
/// of 0) is <c>null</c>; a number that is not finite (an infinite condition number, an undefined turning angle) is
/// also written as <c>null</c>, since JSON has no NaN or infinity.
/// </summary>
public static class GeometryJson
{
    /// <summary>The document for <paramref name="report"/>.</summary>
    public static JsonObject Build(GeometryReport report, string dataset, GeometryOptions options)
    {
        ArgumentNullException.ThrowIfNull(report);
        ArgumentNullException.ThrowIfNull(options);
        var j = report.Jacobian;
        return new JsonObject
        {
            ["model"] = report.Model,
            ["dataset"] = dataset,
            ["samples"] = report.Samples,
            ["parameterCount"] = report.ParameterCount,
            ["seed"] = options.Seed,
            ["loss"] = Number(report.Loss),
            ["trajectory"] = report.Trajectory is not { } t ? null : new JsonObject
            {
                ["steps"] = t.Steps,
                ["stepSize"] = t.StepSize,
                ["speeds"] = Array(t.Speeds),
                ["isometryIndex"] = Number(t.IsometryIndex),
                ["kineticEnergy"] = Number(t.KineticEnergy),
                ["curveLength"] = Number(t.CurveLength),
                ["turningAngles"] = Array(t.TurningAngles),
                ["meanTurningAngle"] = Number(t.MeanTurningAngle),
            },
            ["parameterCurve"] = report.ParameterCurve is not { } c ? null : new JsonObject
            {
                ["blocks"] = c.Blocks,
                ["norms"] = Array(c.Norms),
                ["energy"] = Number(c.Energy),
                ["length"] = Number(c.Length),
            },
            ["jacobian"] = new JsonObject
            {
                ["map"] = report.JacobianMap,
                ["samples"] = j.Samples,
                ["inputDimension"] = j.InputDimension,
                ["outputDimension"] = j.OutputDimension,
                ["meanSquaredSingularValue"] = Number(j.MeanSquaredSingularValue),
                ["singularValueStd"] = Number(j.SingularValueStd),
                ["medianConditionNumber"] = Number(j.MedianConditionNumber),
                ["maxConditionNumber"] = Number(j.MaxConditionNumber),
                ["meanLogAbsDeterminant"] = j.MeanLogAbsDeterminant is { } ld ? Number(ld) : null,
                ["singularValues"] = new JsonArray(j.SingularValues.Select(s => (JsonNode?)Array(s)).ToArray()),
            },
            ["fisherRao"] = report.FisherRao is not { } f ? null : new JsonObject
            {
                ["empirical"] = Number(f.Empirical),
                ["empiricalStandardError"] = Number(f.EmpiricalStandardError),
                ["true"] = Number(f.True),
                ["trueStandardError"] = Number(f.TrueStandardError),
                ["modelSamples"] = f.ModelSamples,
            },
            ["hessian"] = new JsonObject
            {
                ["topEigenvalues"] = report.HessianTop is { } top ? Array(top.Values) : null,
                ["topConverged"] = report.HessianTop is { } top2 ? new JsonArray(top2.Converged.Select(b => (JsonNode?)JsonValue.Create(b)).ToArray()) : null,
                ["trace"] = report.HessianTrace is not { } tr ? null : new JsonObject
                {
                    ["mean"] = Number(tr.Mean),
                    ["standardError"] = Number(tr.StandardError),
                    ["probes"] = tr.Probes,
                },
                ["density"] = report.HessianDensity is not { } d ? null : new JsonObject
                {
                    ["lanczosSteps"] = d.Nodes.Length > 0 ? d.Nodes[0].Length : 0,
                    ["sigma"] = Number(d.Sigma),
                    ["grid"] = Array(d.Grid),
                    ["density"] = Array(d.Density),
                },
            },
            ["seconds"] = new JsonObject(report.Seconds.Select(kv => KeyValuePair.Create(kv.Key, (JsonNode?)JsonValue.Create(kv.Value)))),
        };
    }

    private static JsonNode? Number(double v) => double.IsFinite(v) ? JsonValue.Create(v) : null;

    private static JsonArray Array(IEnumerable<double> values) => new(values.Select(Number).ToArray());
}
