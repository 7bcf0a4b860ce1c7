using System.Text.Json.Nodes;
using Geometrize.Analysis.Influence;
using Geometrize.Networks.Data;
using Geometrize.Networks.Models;

namespace Geometrize.Cli.Commands;

/// <summary>
/// The <c>influence.json</c> document of <c>net influence</c>: the solver and its settings, the regularisation used,
/// the run time, the test point, how the solve for s_test went, the most helpful and most harmful training points,
/// and the leave-one-out validation (null when not run). Numbers that are not finite are written as null.
/// </summary>
public static class InfluenceJson
{
    /// <summary>The document for one run.</summary>
    public static JsonObject Build(InfluenceResult result, IInverseHvpSolver solver, RegularisationChoice regularisation, EmpiricalRisk<double> risk,
        IModel<double> network, string dataset, Dataset training, Dataset test, int top, double gradientNorm, double seconds, LeaveOneOutReport? validation)
    {
        ArgumentNullException.ThrowIfNull(result);
        ArgumentNullException.ThrowIfNull(solver);
        var settings = new JsonObject();
        foreach (var (name, value) in solver.Settings) settings[name] = Number(value);
        return new JsonObject
        {
            ["model"] = ModelArchitecture.KindName(network.Architecture.Kind),
            ["parameterCount"] = risk.Dimension,
            ["dataset"] = dataset,
            ["trainingSamples"] = risk.Count,
            ["signConvention"] = "influence = I_up,loss = -grad L(test)^T H^-1 grad l(z): positive = harmful (removing z lowers the test loss); predicted_loss_change = -(1/n) influence",
            ["solver"] = solver.Name,
            ["settings"] = settings,
            ["l2"] = regularisation.Value,
            ["l2Source"] = regularisation.Source,
            ["l2Note"] = regularisation.Note,
            ["gradientNorm"] = Number(gradientNorm),
            ["seconds"] = seconds,
            ["influenceSeconds"] = result.Seconds,
            ["test"] = new JsonObject
            {
                ["index"] = result.TestIndex,
                ["label"] = Label(test, result.TestIndex),
                ["loss"] = Number(result.TestLoss),
            },
            ["solve"] = new JsonObject
            {
                ["converged"] = result.Solve.Converged,
                ["iterations"] = result.Solve.Iterations,
                ["relativeResidual"] = Number(result.Solve.RelativeResidual),
                ["warning"] = result.Solve.Warning,
            },
            ["mostHelpful"] = Points(result, training, result.MostHelpful(Math.Min(top, risk.Count))),
            ["mostHarmful"] = Points(result, training, result.MostHarmful(Math.Min(top, risk.Count))),
            ["validation"] = validation is null ? null : new JsonObject
            {
                ["pairs"] = validation.Pairs.Count,
                ["pearson"] = Number(validation.Pearson),
                ["spearman"] = Number(validation.Spearman),
                ["seconds"] = validation.Seconds,
                ["baseGradientNorm"] = Number(validation.BaseGradientNorm),
                ["points"] = new JsonArray(validation.Pairs.Select(q => (JsonNode)new JsonObject
                {
                    ["trainingIndex"] = q.TrainingIndex,
                    ["predicted"] = Number(q.Predicted),
                    ["actual"] = Number(q.Actual),
                    ["iterations"] = q.Iterations,
                    ["gradientNorm"] = Number(q.GradientNorm),
                }).ToArray()),
            },
        };
    }

    private static JsonArray Points(InfluenceResult r, Dataset training, int[] indices) =>
        new(indices.Select(i => (JsonNode)new JsonObject
        {
            ["trainingIndex"] = i,
            ["label"] = Label(training, i),
            ["influence"] = Number(r.Influence[i]),
            ["predictedLossChange"] = Number(r.PredictedLossChange[i]),
        }).ToArray());

    private static JsonNode? Label(Dataset data, int i) => data.Task == LearningTask.Classification
        ? JsonValue.Create(data.Label(i))
        : JsonValue.Create((double)data.TargetRow(i)[0]);

    private static JsonNode? Number(double v) => double.IsFinite(v) ? JsonValue.Create(v) : null;
}
