#!/usr/bin/env python3
"""Peer timing for Geometrize's influence functions (bench/Geometrize.Benchmarks/InfluenceBenchmarks.cs) in PyTorch.

Same computations, same sizes, float64, seeded synthetic data (numpy's generator, so the numbers are not the
C# data, only the same shapes and distributions):

1. Binary logistic regression, n = 2000 training points, d = 784 (785 parameters), L2 0.01, trained by Newton's
   method to |grad R| <= 1e-10. Timed: the dense Hessian, one Hessian-vector product, and the exact influence of all
   2000 points on one test point (Hessian + Cholesky + one solve via torch.linalg + all per-example gradients).
   Gradients and Hessian in closed form (as Geometrize's LogisticInfluenceModel): (sigma - y) x~ and X~^T diag(s(1-s)) X~.
2. MLP 784-32-10 (tanh, 25 450 parameters), n = 1000, L2 0.01, 30 L-BFGS iterations, damping 0.1. Timed with
   torch.autograd (double backward for Hessian-vector products): one full-batch HVP, the 1000 per-example
   gradients (one backward pass each, as Geometrize), and the influence of all 1000 points on one test point with
   50 CG iterations or LiSSA depth 50 (full-batch products) for s_test.

Run with the system python (apt python3-torch):
    /usr/bin/python3 bench/peers/influence_torch.py [--threads 2] [--repeats 5]
Prints the median wall seconds of each timed step (after one warm-up run) and the process CPU seconds.
"""
import argparse
import statistics
import time

import numpy as np
import torch

torch.set_default_dtype(torch.float64)


def timed(fn, repeats):
    fn()  # warm-up
    wall, cpu = [], []
    for _ in range(repeats):
        t0, c0 = time.perf_counter(), time.process_time()
        fn()
        wall.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
    return statistics.median(wall), statistics.median(cpu)


def report(name, result):
    wall, cpu = result
    print(f"{name:40s} wall {wall * 1e3:10.3f} ms   cpu {cpu * 1e3:10.3f} ms", flush=True)


# ---------------------------------------------------------------------------------------------------------------
# 1. Logistic regression, exact influence
# ---------------------------------------------------------------------------------------------------------------

def logistic(repeats):
    n, d, l2 = 2000, 784, 0.01
    rng = np.random.default_rng(7)
    normal = rng.random(d) - 0.5

    def make(m):
        x = rng.random((m, d))
        z = (x - 0.5) @ normal + 0.5 * (rng.random(m) - 0.5)
        return torch.tensor(np.hstack([x, np.ones((m, 1))])), torch.tensor((z > 0).astype(np.float64))

    X, y = make(n)
    Xt, yt = make(10)
    p = d + 1
    theta = torch.zeros(p)

    def hessian(th):
        s = torch.sigmoid(X @ th)
        w = s * (1 - s)
        return (X.T * w) @ X / n + l2 * torch.eye(p)

    def gradient(th):
        return X.T @ (torch.sigmoid(X @ th) - y) / n + l2 * th

    for _ in range(50):  # Newton to |grad| <= 1e-10
        g = gradient(theta)
        if torch.linalg.norm(g) <= 1e-10:
            break
        theta = theta - torch.linalg.solve(hessian(theta), g)
    v = torch.sin(torch.arange(p, dtype=torch.float64))
    s_all = torch.sigmoid(X @ theta)
    w_all = s_all * (1 - s_all)

    def hvp():
        return X.T @ (w_all * (X @ v)) / n + l2 * v

    def influence():
        h = hessian(theta)
        chol = torch.linalg.cholesky(h)
        g_test = (torch.sigmoid(Xt[0] @ theta) - yt[0]) * Xt[0]
        s_test = torch.cholesky_solve(g_test[:, None], chol)[:, 0]
        grads = (torch.sigmoid(X @ theta) - y)[:, None] * X  # per-example gradients, n x p
        return -(grads @ s_test)

    report("logreg dense Hessian (785x785)", timed(lambda: hessian(theta), repeats))
    report("logreg Hessian-vector product", timed(hvp, repeats))
    report("logreg exact influence, all 2000 points", timed(influence, repeats))


# ---------------------------------------------------------------------------------------------------------------
# 2. MLP 784-32-10, CG and LiSSA through autograd
# ---------------------------------------------------------------------------------------------------------------

def mlp(repeats):
    n, d, classes, l2, damping, iterations = 1000, 784, 10, 0.01, 0.1, 50
    rng = np.random.default_rng(11)
    mapping = rng.random((classes, d)) - 0.5

    def make(m):
        x = rng.random((m, d))
        labels = np.argmax((x - 0.5) @ mapping.T, axis=1)
        return torch.tensor(x), torch.tensor(labels)

    X, y = make(n)
    Xt, yt = make(10)
    torch.manual_seed(1)
    net = torch.nn.Sequential(torch.nn.Linear(d, 32), torch.nn.Tanh(), torch.nn.Linear(32, classes))
    params = list(net.parameters())

    def risk():
        loss = torch.nn.functional.cross_entropy(net(X), y)
        return loss + 0.5 * l2 * sum((q * q).sum() for q in params)

    opt = torch.optim.LBFGS(params, max_iter=30, history_size=10, line_search_fn="strong_wolfe")

    def closure():
        opt.zero_grad()
        loss = risk()
        loss.backward()
        return loss

    opt.step(closure)
    v = [torch.sin(torch.arange(q.numel(), dtype=torch.float64)).reshape(q.shape) for q in params]

    def hvp(vec):
        g = torch.autograd.grad(risk(), params, create_graph=True)
        dot = sum((gi * vi).sum() for gi, vi in zip(g, vec))
        hv = torch.autograd.grad(dot, params)
        return [h + damping * vi for h, vi in zip(hv, vec)]

    def flat(ts):
        return torch.cat([t.reshape(-1) for t in ts])

    shapes = [q.shape for q in params]
    sizes = [q.numel() for q in params]

    def unflat(x):
        return [t.reshape(s) for t, s in zip(torch.split(x, sizes), shapes)]

    def example_gradient(i, data=X, labels=y):
        loss = torch.nn.functional.cross_entropy(net(data[i:i + 1]), labels[i:i + 1])
        return flat(torch.autograd.grad(loss, params))

    def per_example():
        return torch.stack([example_gradient(i) for i in range(n)])

    def cg(g):
        s = torch.zeros_like(g)
        r = g.clone()
        pdir = g.clone()
        rr = r @ r
        for _ in range(iterations):
            hp = flat(hvp(unflat(pdir)))
            alpha = rr / (pdir @ hp)
            s += alpha * pdir
            r -= alpha * hp
            rr_new = r @ r
            pdir = r + (rr_new / rr) * pdir
            rr = rr_new
        return s

    # LiSSA scale: 1.1 x the largest eigenvalue of H + delta I by 50 power iterations (done once, as the C# setup).
    x = torch.randn(sum(sizes))
    x /= torch.linalg.norm(x)
    lam = 0.0
    for _ in range(50):
        w = flat(hvp(unflat(x)))
        lam = float(x @ w)
        x = w / torch.linalg.norm(w)
    scale = 1.1 * lam

    def lissa(g):
        h = g.clone()
        for _ in range(iterations):
            # hvp includes the damping: h <- g + h - (H + delta I) h / c
            h = g + h - flat(hvp(unflat(h))) / scale
        return h / scale

    def influence(solver):
        g_test = example_gradient(0, Xt, yt)
        s_test = solver(g_test)
        return -(per_example() @ s_test)

    report("mlp Hessian-vector product (n=1000)", timed(lambda: hvp(v), repeats))
    report("mlp per-example gradients (1000)", timed(per_example, repeats))
    report("mlp CG influence (50 it), all points", timed(lambda: influence(cg), repeats))
    report("mlp LiSSA influence (depth 50), all points", timed(lambda: influence(lissa), repeats))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--repeats", type=int, default=5)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads, float64")
    logistic(args.repeats)
    mlp(args.repeats)


if __name__ == "__main__":
    main()
