#!/usr/bin/python3
"""Makes the PyTorch-exported ONNX fixtures the import tests read (tests never run Python).

Debian 12: apt-get install -y python3-torch python3-onnx  (PyTorch 1.13, ONNX 1.12), then
    /usr/bin/python3 tests/Pocket.Onnx.Tests/Fixtures/make_fixtures.py
Weights are random with a fixed seed (BatchNorm statistics too, so no BatchNorm is the identity); every file has a
dynamic batch axis. Running it again writes the same graphs and weights.
"""
import os
import torch
import torch.nn as nn
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))


def randomize_batchnorm(model):
    for m in model.modules():
        if isinstance(m, nn.BatchNorm2d):
            with torch.no_grad():
                m.running_mean.uniform_(-0.5, 0.5)
                m.running_var.uniform_(0.5, 2.0)
                m.weight.uniform_(0.5, 1.5)
                m.bias.uniform_(-0.2, 0.2)


class Mlp(nn.Module):
    """Flatten, Gemm, Relu, Dropout."""

    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(784, 32)
        self.drop = nn.Dropout(0.5)
        self.fc2 = nn.Linear(32, 10)

    def forward(self, x):
        x = torch.flatten(x, 1)
        return self.fc2(self.drop(F.relu(self.fc1(x))))


class BnCnn(nn.Module):
    """Conv + BatchNorm + ReLU, MaxPool, a strided conv without bias + BatchNorm + ReLU6, GlobalAveragePool,
    the Shape/Gather/Concat/Reshape flatten of x.view(x.size(0), -1), and a linear head."""

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 8, 3, padding=1)
        self.bn1 = nn.BatchNorm2d(8)
        self.pool = nn.MaxPool2d(2)
        self.conv2 = nn.Conv2d(8, 16, 3, stride=2, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(16)
        self.gap = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(16, 10)

    def forward(self, x):
        x = self.pool(F.relu(self.bn1(self.conv1(x))))
        x = F.relu6(self.bn2(self.conv2(x)))
        x = self.gap(x)
        x = x.view(x.size(0), -1)
        return self.fc(x)


class ResidualConcat(nn.Module):
    """A residual block (Add), an inception-like Concat, a ZeroPad2d folded into the next conv, an AvgPool that counts
    its padding, constant Mul/Add (input scaling), grouped conv, MatMul + Add as the head, Softmax."""

    def __init__(self):
        super().__init__()
        self.stem = nn.Conv2d(3, 8, 3, padding=1)
        self.a = nn.Conv2d(8, 8, 3, padding=1)
        self.bn_a = nn.BatchNorm2d(8)
        self.b = nn.Conv2d(8, 8, 3, padding=1)
        self.bn_b = nn.BatchNorm2d(8)
        self.left = nn.Conv2d(8, 4, 1)
        self.right = nn.Conv2d(8, 6, 3, padding=1)
        self.pad = nn.ZeroPad2d(1)
        self.grouped = nn.Conv2d(10, 10, 3, groups=2)
        self.pool = nn.AvgPool2d(3, stride=2, padding=1)
        self.head = nn.Parameter(torch.randn(10 * 8 * 8, 5) * 0.05)
        self.head_bias = nn.Parameter(torch.randn(5) * 0.1)

    def forward(self, x):
        x = (x - 0.5) / 0.25
        x = F.relu(self.stem(x))
        y = F.relu(self.bn_a(self.a(x)))
        x = F.relu(self.bn_b(self.b(y)) + x)
        x = torch.cat([self.left(x), F.relu(self.right(x))], dim=1)
        x = self.grouped(self.pad(x)) * 2.0 + 1.0
        x = self.pool(x)
        x = torch.flatten(x, 1)
        x = x @ self.head + self.head_bias
        return F.softmax(x, dim=1)


class Activations(nn.Module):
    """LeakyRelu and Sigmoid (new runtime ops for imported models), a per-channel constant Mul, Squeeze + Gemm head."""

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 6, 3, stride=2, padding=1)
        self.conv2 = nn.Conv2d(6, 12, 3, padding=1)
        self.gain = nn.Parameter(torch.rand(1, 12, 1, 1) + 0.5)
        self.fc = nn.Linear(12, 4)

    def forward(self, x):
        x = F.leaky_relu(self.conv1(x), 0.1)
        x = torch.sigmoid(self.conv2(x)) * self.gain
        x = F.adaptive_avg_pool2d(x, 1).squeeze(3).squeeze(2)
        return self.fc(x)


def export(model, shape, name, opset, mode=torch.onnx.TrainingMode.PRESERVE):
    model.eval()
    path = os.path.join(HERE, name)
    # PRESERVE (with the model in eval mode) keeps BatchNormalization nodes; EVAL would fold them into the convs.
    # TRAINING keeps Dropout nodes; at opset 11 Dropout has no training_mode input, so runtimes run it as the identity.
    torch.onnx.export(model, torch.rand(2, *shape), path, opset_version=opset, training=mode,
                      input_names=["input"], output_names=["output"],
                      dynamic_axes={"input": {0: "batch"}, "output": {0: "batch"}})
    print(f"{name}: {os.path.getsize(path)} bytes")


def main():
    torch.manual_seed(15)
    export(Mlp(), (1, 28, 28), "mlp_opset11.onnx", 11, torch.onnx.TrainingMode.TRAINING)
    torch.manual_seed(16)
    cnn = BnCnn()
    randomize_batchnorm(cnn)
    export(cnn, (1, 28, 28), "bn_cnn_opset11.onnx", 11)
    export(cnn, (1, 28, 28), "bn_cnn_opset13.onnx", 13)
    torch.manual_seed(17)
    block = ResidualConcat()
    randomize_batchnorm(block)
    export(block, (3, 16, 16), "residual_concat_opset13.onnx", 13)
    export(block, (3, 16, 16), "residual_concat_opset17.onnx", 17)
    torch.manual_seed(18)
    export(Activations(), (1, 12, 12), "activations_opset13.onnx", 13)


if __name__ == "__main__":
    main()
