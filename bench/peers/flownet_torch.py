#!/usr/bin/env python3
"""Peer timing for `geometrize net train` on Fashion-MNIST: the same FlowNet in PyTorch.

FlowNet 784 -> 64 (lift), 20 residual blocks x <- x + h*(W2 tanh(W1 x + b1) + b2), h = 1/20, hidden 64,
-> 10 (head); PyTorch's default Linear initialisation (as Geometrize); float32; Adam (lr 1e-3); batch 128;
inputs standardised per pixel with the training set's mean and population standard deviation (std 0 -> 1),
as Geometrize's Normalization.Fit. Two epochs; after each, the test accuracy on the 10k test images.

Run with the system python (apt python3-torch):
    /usr/bin/python3 bench/peers/flownet_torch.py [DATA_DIR] [--threads 2] [--epochs 2] [--lr 1e-3]
DATA_DIR defaults to ../shared/data/fashion-mnist, then /usr/share/datasets/fashion-mnist.
Prints per epoch: wall seconds and process CPU seconds of the training pass (evaluation excluded), the mean
training loss and the test accuracy; the CPU time is the robust figure on a shared, loaded machine.
"""
import argparse
import gzip
import os
import time

import numpy as np
import torch
from torch import nn


def read_idx(path):
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as f:
        data = f.read()
    dims = data[3]
    shape = tuple(int.from_bytes(data[4 + 4 * i: 8 + 4 * i], "big") for i in range(dims))
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * dims).reshape(shape)


def find(directory, stem):
    for name in (stem, stem + ".gz"):
        p = os.path.join(directory, name)
        if os.path.exists(p):
            return p
    raise FileNotFoundError(f"{stem}[.gz] not found in {directory}")


def load(directory):
    x = read_idx(find(directory, "train-images-idx3-ubyte")).reshape(-1, 784).astype(np.float32) / 255
    y = read_idx(find(directory, "train-labels-idx1-ubyte")).astype(np.int64)
    xt = read_idx(find(directory, "t10k-images-idx3-ubyte")).reshape(-1, 784).astype(np.float32) / 255
    yt = read_idx(find(directory, "t10k-labels-idx1-ubyte")).astype(np.int64)
    mean = x.mean(axis=0, dtype=np.float64)
    std = x.std(axis=0, dtype=np.float64)
    std[std <= 1e-12 * np.maximum(1, np.abs(mean))] = 1
    x = ((x - mean) / std).astype(np.float32)
    xt = ((xt - mean) / std).astype(np.float32)
    return torch.from_numpy(x), torch.from_numpy(y), torch.from_numpy(xt), torch.from_numpy(yt)


class Block(nn.Module):
    def __init__(self, width, hidden):
        super().__init__()
        self.w1 = nn.Linear(width, hidden)
        self.w2 = nn.Linear(hidden, width)

    def forward(self, x):
        return self.w2(torch.tanh(self.w1(x)))


class FlowNet(nn.Module):
    def __init__(self, inputs=784, width=64, hidden=64, depth=20, classes=10):
        super().__init__()
        self.lift = nn.Linear(inputs, width)
        self.blocks = nn.ModuleList(Block(width, hidden) for _ in range(depth))
        self.head = nn.Linear(width, classes)
        self.h = 1.0 / depth

    def forward(self, x):
        x = self.lift(x)
        for b in self.blocks:
            x = x + self.h * b(x)
        return self.head(x)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("data", nargs="?", default=None)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--epochs", type=int, default=2)
    ap.add_argument("--lr", type=float, default=1e-3)
    ap.add_argument("--batch", type=int, default=128)
    args = ap.parse_args()
    directory = args.data
    if directory is None:
        for d in ("../shared/data/fashion-mnist", "/usr/share/datasets/fashion-mnist"):
            if os.path.isdir(d):
                directory = d
                break
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    x, y, xt, yt = load(directory)
    model = FlowNet()
    opt = torch.optim.Adam(model.parameters(), lr=args.lr)
    loss_fn = nn.CrossEntropyLoss()
    gen = torch.Generator().manual_seed(0)
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads, "
          f"{sum(p.numel() for p in model.parameters())} parameters, {len(x)} training samples")
    for epoch in range(1, args.epochs + 1):
        model.train()
        perm = torch.randperm(len(x), generator=gen)
        t0, c0 = time.perf_counter(), time.process_time()
        total = 0.0
        for s in range(0, len(x), args.batch):
            idx = perm[s: s + args.batch]
            opt.zero_grad()
            loss = loss_fn(model(x[idx]), y[idx])
            loss.backward()
            opt.step()
            total += loss.item() * len(idx)
        wall, cpu = time.perf_counter() - t0, time.process_time() - c0
        model.eval()
        with torch.no_grad():
            acc = (model(xt).argmax(1) == yt).float().mean().item()
        print(f"epoch {epoch}: train {wall:.2f} s wall, {cpu:.2f} s CPU; loss {total / len(x):.4f}; test accuracy {acc:.4f}")


if __name__ == "__main__":
    main()
