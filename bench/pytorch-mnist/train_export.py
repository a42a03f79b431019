#!/usr/bin/python3
"""Trains a small CNN on the bundled MNIST the way a PyTorch user would, and exports it with torch.onnx.export.

This is the "model no one here wrote" of issue 15: Pocket never sees this script's code, only the ONNX file, which
it imports, compresses and runs (bench/results/onnx-import.md, "A PyTorch-trained model"). The ONNX file is
committed next to this script, so nothing downstream needs Python.

Debian 12: apt-get install -y python3-torch python3-onnx  (PyTorch 1.13, ONNX 1.12), then, from the repository root,
    /usr/bin/python3 bench/pytorch-mnist/train_export.py [--epochs 4] [--out bench/pytorch-mnist/mnist_cnn_opset13.onnx]
Pixels are scaled to [0, 1] (ToTensor's rule and Pocket's default preprocessing), no normalisation. Seeded and
single-threaded, so a second run on the same machine gives the same weights.
"""
import argparse
import gzip
import os
import struct
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def read_idx(path):
    with gzip.open(path, "rb") as f:
        data = f.read()
    magic, = struct.unpack(">I", data[:4])
    rank = magic & 0xFF
    dims = struct.unpack(">" + "I" * rank, data[4:4 + 4 * rank])
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * rank).reshape(dims)


def load(part):
    folder = os.path.join(ROOT, "data", "mnist")
    stem = "train" if part == "train" else "t10k"
    images = read_idx(os.path.join(folder, f"{stem}-images-idx3-ubyte.gz")).astype(np.float32) / 255.0
    labels = read_idx(os.path.join(folder, f"{stem}-labels-idx1-ubyte.gz")).astype(np.int64)
    return torch.from_numpy(images).unsqueeze(1), torch.from_numpy(labels)


class MnistCnn(nn.Module):
    """Conv-BN-ReLU-pool twice, then a two-layer head with dropout: what a tutorial trains on MNIST."""

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 16, 5, padding=2, bias=False)
        self.bn1 = nn.BatchNorm2d(16)
        self.conv2 = nn.Conv2d(16, 32, 5, padding=2, bias=False)
        self.bn2 = nn.BatchNorm2d(32)
        self.fc1 = nn.Linear(32 * 7 * 7, 64)
        self.drop = nn.Dropout(0.3)
        self.fc2 = nn.Linear(64, 10)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.bn1(self.conv1(x))), 2)
        x = F.max_pool2d(F.relu(self.bn2(self.conv2(x))), 2)
        x = torch.flatten(x, 1)
        return self.fc2(self.drop(F.relu(self.fc1(x))))


def accuracy(model, images, labels):
    model.eval()
    with torch.no_grad():
        correct = sum((model(images[i:i + 1000]).argmax(1) == labels[i:i + 1000]).sum().item()
                      for i in range(0, len(labels), 1000))
    return correct / len(labels)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--epochs", type=int, default=4)
    parser.add_argument("--out", default=os.path.join(ROOT, "bench", "pytorch-mnist", "mnist_cnn_opset13.onnx"))
    args = parser.parse_args()
    torch.manual_seed(1)
    torch.set_num_threads(1)
    train_x, train_y = load("train")
    test_x, test_y = load("test")
    model = MnistCnn()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9, weight_decay=5e-4)
    steps = args.epochs * (len(train_y) // 64)
    schedule = torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=0.05, total_steps=steps)
    generator = torch.Generator().manual_seed(1)
    for epoch in range(args.epochs):
        model.train()
        start = time.time()
        order = torch.randperm(len(train_y), generator=generator)
        for b in range(len(train_y) // 64):
            idx = order[b * 64:(b + 1) * 64]
            optimizer.zero_grad()
            loss = F.cross_entropy(model(train_x[idx]), train_y[idx])
            loss.backward()
            optimizer.step()
            schedule.step()
        print(f"epoch {epoch + 1}: loss {loss.item():.4f}, test accuracy {100 * accuracy(model, test_x, test_y):.2f} %, "
              f"{time.time() - start:.0f} s", flush=True)
    model.eval()
    torch.onnx.export(model, torch.zeros(1, 1, 28, 28), args.out, opset_version=13,
                      input_names=["image"], output_names=["logits"],
                      dynamic_axes={"image": {0: "batch"}, "logits": {0: "batch"}})
    print(f"wrote {args.out}: {os.path.getsize(args.out):,} bytes, "
          f"{sum(p.numel() for p in model.parameters()):,} parameters, "
          f"PyTorch test accuracy {100 * accuracy(model, test_x, test_y):.2f} %")


if __name__ == "__main__":
    main()
