"""The PyTorch network of a spec, for the benchmarks that time PyTorch beside cnnc (torch_zoo_bench.py, torch_layers.py):
torchvision's, as the spec's `# peer:` line builds it; specs/resnet20.yaml (CIFAR, no torchvision model) is built here
layer for layer."""
import os, sys
import torch, torch.nn as nn

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'Tests', 'Peers'))
from zoo_peer import torchvision_model  # noqa: E402


class Basic(nn.Module):
    """specs/resnet20.yaml's `basic` block: two 3×3 convs with batchnorm, a projection shortcut when it strides."""
    def __init__(self, cin, cout, stride):
        super().__init__()
        self.body = nn.Sequential(nn.Conv2d(cin, cout, 3, stride, 1, bias=False), nn.BatchNorm2d(cout), nn.ReLU(inplace=True),
                                  nn.Conv2d(cout, cout, 3, 1, 1, bias=False), nn.BatchNorm2d(cout))
        self.shortcut = nn.Sequential() if stride == 1 and cin == cout else \
            nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False), nn.BatchNorm2d(cout))

    def forward(self, x):
        return torch.relu(self.body(x) + self.shortcut(x))


def resnet20():
    layers = [nn.Conv2d(3, 16, 3, 1, 1, bias=False), nn.BatchNorm2d(16), nn.ReLU(inplace=True)]
    cin = 16
    for cout, stride in ((16, 1), (32, 2), (64, 2)):
        for i in range(3):
            layers.append(Basic(cin, cout, stride if i == 0 else 1))
            cin = cout
    layers += [nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(64, 10)]
    return nn.Sequential(*layers)


def model_of(spec):
    """A new network for the spec, in PyTorch's default initialisation."""
    return resnet20() if os.path.basename(spec) == 'resnet20.yaml' else torchvision_model(spec)
