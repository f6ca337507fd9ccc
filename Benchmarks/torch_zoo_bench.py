"""PyTorch's side of Benchmarks/zoo.sh: a zoo network's training step (forward, cross-entropy, backward, Adam; zoo.sh gives cnnc Adam too)
and inference (eval mode, no_grad) on random inputs, timed like `cnnc bench` (median of timed iterations after a
warm-up), in one process so that /usr/bin/time's peak covers both, as it does for `cnnc bench`.

The network is torchvision's, as the spec's `# peer:` line builds it; specs/resnet20.yaml (CIFAR, no torchvision
model) is built here layer for layer. `--export FILE` instead writes the network as ONNX (opset 17, dynamic batch)
for ONNX Runtime.

usage: python3 torch_zoo_bench.py SPEC --batch N --input C H W [--threads 2] [--iters 10] [--export FILE]"""
import argparse, json, os, statistics, sys, time
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


def median_seconds(step, iters):
    for _ in range(5):  # cnnc bench's warm-up
        step()
    times = []
    for _ in range(iters):
        start = time.perf_counter()
        step()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


ap = argparse.ArgumentParser()
ap.add_argument('spec'); ap.add_argument('--batch', type=int, required=True)
ap.add_argument('--input', type=int, nargs=3, required=True); ap.add_argument('--threads', type=int, default=2)
ap.add_argument('--iters', type=int, default=10); ap.add_argument('--export')
a = ap.parse_args()
torch.set_num_threads(a.threads)
torch.manual_seed(1)
model = resnet20() if os.path.basename(a.spec) == 'resnet20.yaml' else torchvision_model(a.spec)
x = torch.rand(a.batch, *a.input)
if a.export:
    model.eval()
    torch.onnx.export(model, x[:1], a.export, input_names=['input'], output_names=['logits'], opset_version=17,
                      dynamic_axes={'input': {0: 'batch'}, 'logits': {0: 'batch'}}, dynamo=False)
    sys.exit(0)
classes = model(x[:1]).shape[1]
y = torch.randint(0, classes, (a.batch,))
optimizer = torch.optim.Adam(model.parameters(), lr=1e-4)
loss_fn = nn.CrossEntropyLoss()


def train_step():
    optimizer.zero_grad()
    loss_fn(model(x), y).backward()
    optimizer.step()


model.train()
train = median_seconds(train_step, a.iters)
model.eval()
with torch.no_grad():
    infer = median_seconds(lambda: model(x), a.iters)
print(json.dumps({'torch': torch.__version__, 'train_images_per_s': a.batch / train, 'infer_images_per_s': a.batch / infer}))
