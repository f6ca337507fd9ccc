"""PyTorch's side of Benchmarks/zoo.sh: a zoo network's training step (forward, cross-entropy, backward, Adam; zoo.sh gives cnnc Adam too)
and inference (eval mode, no_grad) on random inputs, timed like `cnnc bench` (median of timed iterations after a
warm-up), in one process so that /usr/bin/time's peak covers both, as it does for `cnnc bench`.

The network is torchvision's, as the spec's `# peer:` line builds it; specs/resnet20.yaml (CIFAR, no torchvision
model) is built layer for layer (zoo_models.py). `--export FILE` instead writes the network as ONNX (opset 17, dynamic batch)
for ONNX Runtime.

usage: python3 torch_zoo_bench.py SPEC --batch N --input C H W [--threads 2] [--iters 10] [--export FILE]"""
import argparse, json, os, statistics, sys, time
import torch, torch.nn as nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from zoo_models import model_of  # noqa: E402


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
model = model_of(a.spec)
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
