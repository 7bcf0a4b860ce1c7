using Geometrize.Analysis;
using Geometrize.Autodiff;

namespace Geometrize.Tests.Analysis;

/// <summary>Speed, isometry, energy, length and turning angle of hand-built flows with known velocity.</summary>
public class TrajectoryMeasuresTests
{
    [Fact]
    public void StraightLinesAtConstantVelocity()
    {
        const int steps = 8, n = 3, d = 3;
        double h = 1.0 / steps;
        double[][] a = [[0, 0, 0], [1, -2, 0.5], [3, 1, 1]];
        double[][] v = [[1, 0, 0], [0, 3, 4], [2, 2, 1]]; // ‖v‖ = 1, 5, 3
        var states = Enumerable.Range(0, steps + 1)
            .Select(k => Enumerable.Range(0, n).SelectMany(i => Enumerable.Range(0, d).Select(j => a[i][j] + k * h * v[i][j])).ToArray())
            .ToArray();
        var r = TrajectoryMeasures.OfStates(states, d, h);
        Assert.Equal(steps, r.Steps);
        Assert.All(r.Speeds, s => Assert.Equal(3.0, s, 12));        // mean ‖v‖ = (1 + 5 + 3)/3
        Assert.Equal(0.0, r.IsometryIndex, 12);
        Assert.Equal(0.5 * (1 + 25 + 9) / 3.0, r.KineticEnergy, 12); // ½∫E‖v‖² dt over [0, 1]
        Assert.Equal(3.0, r.CurveLength, 12);
        Assert.All(r.TurningAngles, t => Assert.Equal(0.0, t, 6));  // acos near 1 loses half the digits
        Assert.Equal(0.0, r.MeanTurningAngle, 6);
    }

    [Fact]
    public void RegularPolygonsOnCircles()
    {
        const int steps = 12;
        double h = 1.0 / steps;
        double[] radius = [1, 2.5], phase = [0.3, -1.1];
        var states = Enumerable.Range(0, steps + 1).Select(k => radius.Zip(phase).SelectMany(p =>
        {
            double t = 2 * Math.PI * k / steps + p.Second;
            return new[] { p.First * Math.Cos(t), p.First * Math.Sin(t) };
        }).ToArray()).ToArray();
        var r = TrajectoryMeasures.OfStates(states, 2, h);
        var chord = radius.Select(rad => 2 * rad * Math.Sin(Math.PI / steps)).ToArray();
        Assert.All(r.Speeds, s => Assert.Equal(chord.Average() / h, s, 12));
        Assert.Equal(0.0, r.IsometryIndex, 12);
        Assert.Equal(steps * chord.Average(), r.CurveLength, 12);
        Assert.Equal(0.5 * steps * chord.Select(c => c * c).Average() / h, r.KineticEnergy, 10);
        Assert.Equal(steps - 1, r.TurningAngles.Length);
        Assert.All(r.TurningAngles, t => Assert.Equal(2 * Math.PI / steps, t, 10)); // exterior angle of the polygon
    }

    [Fact]
    public void AcceleratingCurveHasKnownIsometryIndexAndReversalTurnsByPi()
    {
        // 1-D steps of length 1, 2, 3 then a step back: speeds (1, 2, 3, 1)/h
        double[][] states = [[0.0], [1.0], [3.0], [6.0], [5.0]];
        var r = TrajectoryMeasures.OfStates(states, 1, 0.5);
        Assert.Equal([2.0, 4.0, 6.0, 2.0], r.Speeds);
        double mean = 3.5, std = Math.Sqrt(((1.5 * 1.5) * 2 + 0.25 + 6.25) / 4);
        Assert.Equal(std / mean, r.IsometryIndex, 12);
        Assert.Equal([0.0, 0.0, Math.PI], r.TurningAngles);
        Assert.Equal(7.0, r.CurveLength, 12);
        Assert.Equal(0.5 * (1 + 4 + 9 + 1) / 0.5, r.KineticEnergy, 12);
    }

    [Fact]
    public void TensorAndFloatInputsAgreeWithDoubleArrays()
    {
        var rng = new Random(2);
        var states = Enumerable.Range(0, 5).Select(_ => Tensor<double>.Randn([4, 3], rng)).ToArray();
        var fromTensors = TrajectoryMeasures.OfStates(states, 0.2);
        var fromArrays = TrajectoryMeasures.OfStates(states.Select(s => s.Data).ToArray(), 3, 0.2);
        var fromFloat = TrajectoryMeasures.OfStates(states.Select(s => s.ConvertTo<float>()).ToArray(), 0.2);
        Assert.Equal(fromArrays.KineticEnergy, fromTensors.KineticEnergy, 14);
        Assert.Equal(fromArrays.MeanTurningAngle, fromTensors.MeanTurningAngle, 14);
        Assert.Equal(fromArrays.KineticEnergy, fromFloat.KineticEnergy, 4);
        Assert.Equal(fromArrays.IsometryIndex, fromFloat.IsometryIndex, 5);
        Assert.True(fromArrays.IsometryIndex > 0);
    }

    [Fact]
    public void ZeroStepsAreLeftOutOfTheTurningAngle()
    {
        double[][] states = [[0.0, 0.0], [0.0, 0.0], [1.0, 0.0], [1.0, 1.0]];
        var r = TrajectoryMeasures.OfStates(states, 2, 1.0);
        Assert.True(double.IsNaN(r.TurningAngles[0]));
        Assert.Equal(Math.PI / 2, r.TurningAngles[1], 12);
        Assert.Equal(Math.PI / 2, r.MeanTurningAngle, 12);
    }

    [Fact]
    public void ParameterCurveEnergyAndLength()
    {
        const int blocks = 5;
        double h = 1.0 / blocks;
        double[] u = [3, 4]; // ‖u‖ = 5
        var thetas = Enumerable.Range(0, blocks).Select(k => u.Select(x => (k + 1) * x).ToArray()).ToArray();
        var r = TrajectoryMeasures.OfParameters(thetas, h);
        Assert.Equal(0.5 * h * 25 * (1 + 4 + 9 + 16 + 25), r.Energy, 12);
        Assert.Equal((blocks - 1) * 5.0, r.Length, 12);
        Assert.Equal(25.0, r.Norms[^1], 12);
    }

    [Fact]
    public void BadInputIsRejected()
    {
        Assert.Throws<InvalidParameterException>(() => TrajectoryMeasures.OfStates(new[] { new double[4] }, 2, 0.1));
        Assert.Throws<InvalidParameterException>(() => TrajectoryMeasures.OfStates(new[] { new double[4], new double[6] }, 2, 0.1));
        Assert.Throws<InvalidParameterException>(() => TrajectoryMeasures.OfStates(new[] { new double[4], new double[4] }, 3, 0.1));
        Assert.Throws<InvalidParameterException>(() => TrajectoryMeasures.OfStates(new[] { new double[4], new double[4] }, 2, 0));
        Assert.Throws<InvalidParameterException>(() => TrajectoryMeasures.OfParameters(new[] { new double[2], new double[3] }, 0.5));
        Assert.Throws<ShapeMismatchException>(() => TrajectoryMeasures.OfStates(new[] { Tensor<double>.Zeros(2, 2), Tensor<double>.Zeros(4) }, 0.5));
    }
}
