"""PyTorch's side of Benchmarks/layers.sh: the time of every conv of a zoo network's training step (forward, cross-entropy,
backward, Adam, as torch_zoo_bench.py and `cnnc bench` time it), forward and backward apart, from PyTorch's own
profiler, and the time of the step's batchnorms and of everything else.

A conv's forward time is its `aten::conv2d` call's, its backward time its `aten::convolution_backward` call's (input
and weight gradients together; the first conv computes only the weight gradient, as cnnc's). Convs are listed in
the order the forward pass calls them, which is the order of the spec's conv layers (layers.sh checks it by the
multiply-adds of each). Times are the median over the profiled steps.

usage: python3 torch_layers.py SPEC --batch N --input C H W [--threads 2] [--iters 5]   (prints JSON)"""
import argparse, json, os, statistics, sys
import torch, torch.nn as nn
from torch.profiler import profile, ProfilerActivity

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from zoo_models import model_of  # noqa: E402

ap = argparse.ArgumentParser()
ap.add_argument('spec'); ap.add_argument('--batch', type=int, required=True)
ap.add_argument('--input', type=int, nargs=3, required=True); ap.add_argument('--threads', type=int, default=2)
ap.add_argument('--iters', type=int, default=5)
a = ap.parse_args()
torch.set_num_threads(a.threads)
torch.manual_seed(1)
model = model_of(a.spec)
x = torch.rand(a.batch, *a.input)
classes = model(x[:1]).shape[1]
y = torch.randint(0, classes, (a.batch,))
optimizer = torch.optim.Adam(model.parameters(), lr=1e-4)
loss_fn = nn.CrossEntropyLoss()

# Each conv's shape, in forward order, from hooks on one step: channels in and out, kernel, stride, groups, input size.
convs = []
hooks = [m.register_forward_hook(lambda m, inputs, output: convs.append({
    'in': m.in_channels, 'out': m.out_channels, 'kernel': list(m.kernel_size), 'stride': list(m.stride), 'groups': m.groups,
    'input_hw': list(inputs[0].shape[2:]), 'output_hw': list(output.shape[2:])})) for m in model.modules() if isinstance(m, nn.Conv2d)]


def train_step():
    optimizer.zero_grad()
    loss_fn(model(x), y).backward()
    optimizer.step()


model.train()
train_step()
for hook in hooks:
    hook.remove()
for _ in range(4):  # warm-up, as cnnc bench
    train_step()

forward, backward = [[] for _ in convs], [[] for _ in convs]
batchnorm, steps = [], []
for _ in range(a.iters):
    with profile(activities=[ProfilerActivity.CPU]) as prof:
        with torch.profiler.record_function('step'):
            train_step()
    events = sorted(prof.events(), key=lambda e: e.time_range.start)
    fwd = [e.cpu_time_total for e in events if e.name == 'aten::conv2d']
    bwd = [e.cpu_time_total for e in events if e.name == 'aten::convolution_backward']
    if len(fwd) != len(convs) or len(bwd) != len(convs):
        sys.exit(f'{a.spec}: profiled {len(fwd)} conv forward and {len(bwd)} backward calls, expected {len(convs)}')
    for i, t in enumerate(fwd):
        forward[i].append(t / 1e3)
    for i, t in enumerate(reversed(bwd)):  # the backward pass runs the convs last to first
        backward[i].append(t / 1e3)
    batchnorm.append(sum(e.cpu_time_total for e in events
                         if e.name in ('aten::batch_norm', 'aten::native_batch_norm_backward')) / 1e3)
    steps.append(next(e.cpu_time_total for e in events if e.name == 'step') / 1e3)

for conv, f, b in zip(convs, forward, backward):
    conv['forward_ms'], conv['backward_ms'] = statistics.median(f), statistics.median(b)
print(json.dumps({'torch': torch.__version__, 'step_ms': statistics.median(steps), 'batchnorm_ms': statistics.median(batchnorm),
                  'convs': convs}))
