using System.Globalization;

namespace Geometrize.Cli.Commands;

/// <summary>
/// <c>geometrize net SUBCOMMAND …</c>: deep networks as flows. Sub-commands: <c>train</c> (see <see cref="NetTrain"/>),
/// <c>geometry</c> (see <see cref="NetGeometry"/>), <c>reweight</c> (see <see cref="NetReweight"/>), <c>influence</c> (see <see cref="NetInfluence"/>)
/// and <c>experiment</c> (see <see cref="NetExperiment"/>).
/// <c>geometrize net</c> alone lists the sub-commands.
/// </summary>
public sealed class NetCommand : ICommand
{
    private static readonly (string Name, string Summary)[] SubCommands =
    [
        ("train", "train a flow network (ResNet as an Euler flow), plain network, MLP or logistic regression"),
        ("geometry", "measure a trained model: trajectories, Jacobian, Fisher-Rao norm, Hessian spectrum"),
        ("reweight", "learned example weights (Ren et al. 2018) on noisy labels: plain vs reweighted vs clean-only"),
        ("influence", "influence of every training point on one test loss (Koh & Liang), with leave-one-out validation"),
        ("experiment", "run one of the paper's dictionary experiments: " + NetExperiment.Names),
    ];

    /// <inheritdoc />
    public string Name => "net";
    /// <inheritdoc />
    public string Summary => "deep networks as flows: 'net train', 'net geometry', 'net reweight', 'net influence', 'net experiment' (see 'geometrize net')";
    /// <inheritdoc />
    public string Usage => "net train --data NAME[:PATH] --model flownet|plainnet|mlp|logreg [OPTIONS] --output DIR\n" +
        "       net geometry MODEL_DIR --data NAME[:PATH] [--samples N] [--top K] [--probes P] [--lanczos M] [--seed S] --output DIR\n" +
        "       net reweight --data NAME[:PATH] --clean-validation N --noise uniform:P|imbalance:R [MODEL/TRAINING OPTIONS] --output DIR\n" +
        "       net influence MODEL_DIR --data NAME[:PATH] --test-index I [--solver exact|cg|lissa] [--damping D] [--l2 L] [--top K] [--validate K] --output DIR\n" +
        "       net experiment NAME [--seeds K] [--quick] [--data NAME[:PATH]] --output DIR";
    /// <inheritdoc />
    public string Description =>
        "DATA: a generated set (" + string.Join(", ", Geometrize.Networks.Data.SyntheticDatasets.Names) + ";\n" +
        "--train-limit/--test-limit samples, --noise; the test set is drawn with seed + 1), fashion-mnist[:FOLDER]\n" +
        "(IDX files, gz or not; default ../shared/data/fashion-mnist, then /usr/share/datasets/fashion-mnist),\n" +
        "or csv:FILE (--target column, default last; --task; 80/20 split by --seed).\n" +
        "Inputs are standardised with statistics of the training set (stored in model.json).\n" +
        "MODEL: flownet = lift -> N blocks x <- x + h f(x), f = W2 s(W1 x + b1) + b2, h = 1/N -> linear head;\n" +
        "plainnet = the same without the skip (x <- f(x)); mlp = --depth hidden layers of --width units; logreg.\n" +
        "Writes into DIR: model.safetensors, model.json, history.csv (epoch,loss,train_acc,test_acc,seconds),\n" +
        "summary.json, curves.png and, for 2-D data, decision.png. All files appear together when training ends\n" +
        "(written to a staging folder, then moved); Ctrl-C stops cleanly and leaves nothing behind.\n" +
        "net geometry: measures the model in MODEL_DIR on the first --samples training samples of --data (generated sets\n" +
        "are redrawn with the model's training seed), normalised as in training: trajectory speeds, isometry index,\n" +
        "kinetic energy, curve length, turning angles and parameter curve (flownet/plainnet only), Jacobian singular\n" +
        "values of the flow map (network map for mlp/logreg), Fisher-Rao norms (classifiers), and the Hessian of the\n" +
        "loss: top --top eigenvalues, Hutchinson trace (--probes), SLQ density (--lanczos steps). Writes geometry.json\n" +
        "(null = not applicable or skipped) and geometry.png into DIR, together.\n" +
        "net influence: rebuilds the training and test sets of MODEL_DIR from --data (same --train-limit/--test-limit as in\n" +
        "training; generated sets and the csv split use the model's training seed) and computes, for test point I,\n" +
        "influence = I_up,loss(z) = -grad L(z_test)^T (H + D I)^-1 grad l(z) for every training point z, H the Hessian of\n" +
        "the L2-regularised training risk at the trained weights (lambda = --l2, else the training weight decay; AdamW's\n" +
        "decoupled decay is used as an approximation). Sign: influence > 0 = harmful (removing z lowers the test loss),\n" +
        "< 0 = helpful; predicted_loss_change = -(1/n) influence = predicted L_test(without z) - L_test. Solvers: exact\n" +
        "(dense H, Cholesky; default up to 2000 parameters), cg (Hessian-vector products; default above), lissa.\n" +
        "--validate K retrains without each of the K most influential points from the trained weights (Newton's method;\n" +
        "matrix-free Newton-CG above 2000 parameters) and reports Pearson/Spearman of predicted vs actual change.\n" +
        "Writes influence.csv (training_index,label,influence,\n" +
        "predicted_loss_change), influence.json and influence.png into DIR, together.\n" +
        "net experiment NAME (" + NetExperiment.Names + "): trains and measures the models of one experiment\n" +
        "(seeds 0..K-1; --quick shrinks it to seconds) and writes results.json, results.csv and experiment.png into DIR.\n" + NetReweight.Help;

    /// <inheritdoc />
    public IReadOnlyList<OptionSpec> Options { get; } =
    [
        new("data", "NAME[:PATH]", "dataset: generated name, fashion-mnist[:FOLDER] or csv:FILE (required)"),
        new("model", "KIND", "flownet (default), plainnet, mlp or logreg"),
        new("depth", "N", "blocks (flow/plain) or hidden layers (mlp) (default 10; mlp 2)"),
        new("width", "W", "state width (flow/plain) or hidden units (mlp) (default 16)"),
        new("hidden", "H", "inner width of a block f (default 32)"),
        new("activation", "NAME", "tanh (default), relu or softplus"),
        new("batchnorm", null, "batch normalisation inside every block / after every hidden layer"),
        new("tied", null, "one set of block weights shared by all depths (autonomous flow)"),
        new("epochs", "E", "passes over the training set (default 20)"),
        new("batch", "B", "mini-batch size (default 64; ignored by lbfgs)"),
        new("lr", "RATE", "learning rate (default 0.01; lbfgs: initial step, default 1)"),
        new("optimizer", "NAME", "adam (default; AdamW decay), sgd (momentum 0.9) or lbfgs (full batch)"),
        new("weight-decay", "W", "weight decay (default 0)"),
        new("lbfgs-iterations", "K", "L-BFGS iterations per epoch (default 20)"),
        new("seed", "S", "seed of the weights, batch order, generated data and CSV split (default 0); geometry: seed of the probes; influence: LiSSA sampling"),
        new("kinetic-energy", "W", "train flownet/plainnet with W * (1/2) sum_k h E|f_k|^2 added to the loss (default 0)"),
        new("adjoint", "KIND", "gradient of a flownet: discrete (back-propagation, default) or continuous (RK4 adjoint ODE)"),
        new("train-limit", "N", "training samples (generated sets: how many to draw, default 1000; others: keep the first N)"),
        new("test-limit", "N", "test samples (generated sets: default 500; others: keep the first N)"),
        new("noise", "SIGMA", "noise of generated sets (default 0.05); reweight: label noise uniform:P or imbalance:R"),
        new("clean-validation", "N", "reweight: clean validation samples, drawn class-balanced before the corruption (required)"),
        new("classes", "A,B", "reweight imbalance: majority and minority class (default 9,4 with ten classes, else 0,1)"),
        new("meta", "KIND", "reweight: meta-gradient exact (double backward, default) or first-order (per-example gradients)"),
        new("lookahead-lr", "RATE", "reweight: step of the look-ahead (default: --lr)"),
        new("validation-batch", "M", "reweight: clean validation samples per step (default 0: all)"),
        new("target", "COLUMN", "csv: target column name or index (default -1, the last)"),
        new("task", "KIND", "csv: classification (default) or regression"),
        new("samples", "N", $"geometry: samples of the subset (default {NetGeometry.DefaultSamples})"),
        new("top", "K", "geometry: top Hessian eigenvalues (default 5; 0 skips); influence: helpful and harmful points listed (default 8)"),
        new("probes", "P", "geometry: Hutchinson probes of the Hessian trace (default 100; 0 skips)"),
        new("lanczos", "M", "geometry: Lanczos steps of the Hessian spectral density (default 80; 0 skips)"),
        new("jacobian-samples", "N", "geometry: samples whose Jacobian is analysed (default 256)"),
        new("test-index", "I", "influence: index of the test point in the test set (required)"),
        new("solver", "NAME", "influence: exact, cg or lissa (default exact up to 2000 parameters, else cg)"),
        new("damping", "D", "influence: damping added to the Hessian (default 0)"),
        new("l2", "L", "influence: L2 coefficient of the risk (default: the model's training weight decay)"),
        new("validate", "K", "influence: leave-one-out retraining of the K most influential points (default 0: none)"),
        new("cg-tolerance", "T", "influence: relative residual of conjugate gradient (default 1e-6)"),
        new("cg-iterations", "N", "influence: conjugate-gradient iteration budget (default 1000)"),
        new("lissa-depth", "N", "influence: LiSSA recursion depth (default 1000)"),
        new("lissa-scale", "C", "influence: LiSSA scale, above the largest Hessian eigenvalue (default: 1.1 x estimate)"),
        new("lissa-repeats", "R", "influence: LiSSA repeats averaged (default 1)"),
        new("lissa-batch", "B", "influence: LiSSA examples per sampled Hessian (default 0: full set)"),
        new("seeds", "K", "experiment: seeds per configuration (default depends on the experiment)"),
        new("quick", null, "experiment: seconds-scale sizes (smoke test), not the documented default sizes"),
        new("threads", "N", $"worker threads (default: all {Environment.ProcessorCount} processors)"),
        new("output", "DIR", "output folder (required; created if needed)"),
        new("quiet", null, "show no progress"),
    ];

    /// <inheritdoc />
    public int Run(CommandLine args, TextWriter stdout, TextWriter stderr)
    {
        if (args.Positionals.Count == 0)
        {
            stdout.WriteLine("usage: geometrize net SUBCOMMAND [OPTIONS]   (geometrize net --help for all options)");
            stdout.WriteLine();
            stdout.WriteLine("sub-commands:");
            foreach (var (name, summary) in SubCommands) stdout.WriteLine($"  {name}  {summary}");
            return 0;
        }
        string sub = args.Positionals[0];
        switch (sub)
        {
            case "train":
                args.RequirePositionals(1, 1, "the sub-command 'train' and options");
                return NetTrain.Run(args, stdout, stderr, Usage);
            case "geometry":
                return NetGeometry.Run(args, stdout, stderr, Usage);
            case "reweight":
                return NetReweight.Run(args, stdout, stderr, Usage);
            case "influence":
                return NetInfluence.Run(args, stdout, stderr, Usage);
            case "experiment":
                return NetExperiment.Run(args, stdout, stderr, Usage);
            default:
                throw new UsageException($"unknown sub-command 'net {sub}'; sub-commands: {string.Join(", ", SubCommands.Select(s => s.Name))}.", Usage);
        }
    }

    /// <summary>A number option that may be NaN or infinite, so that validation can name the option and the value.</summary>
    internal static double Number(CommandLine args, string name, double fallback, string usage)
    {
        string? v = args.GetString(name);
        if (v == null) return fallback;
        return double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out double r)
            ? r : throw new UsageException($"option '--{name}' expects a number, got '{v}'.", usage);
    }
}
