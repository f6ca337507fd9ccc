"""One SGD step of a zoo network in cnnc and in PyTorch (float64), from the same initial weights, on the same
colour images: the loss, every updated weight and every batchnorm running statistic must agree. The PyTorch
side is the torchvision model the spec's `# peer:` line names, so this checks that the spec is that network
(layer for layer, in order) and that cnnc trains it as PyTorch does.

usage: python3 zoo_one_step.py CNNC_BINARY SPEC WORK_DIR [--size 64] [--batch 2] [--tolerance 0.01] [--kernels K]
(needs torch, torchvision, safetensors, PyYAML, numpy; CNNC_THREADS, if set, is passed to cnnc train --threads)

How: torchvision builds the model (its own init); its tensors, in registration order, are matched to cnnc's
checkpoint tensors in cnnc's order (depth first, as written in the spec) with equal shapes, and written as a
safetensors file under cnnc's names. `cnnc train --init-weights` takes one step of plain SGD (lr 0.1, batch
`--batch`) on random images written as a 4-D IDX file; PyTorch takes the same step in float64 (and, as a
yardstick of float32 rounding, in float32) from the same float32 values. Dropout is set to 0 on both sides (and
torchvision's stochastic depth, which cnnc lacks). The loss must agree to 1e-4 relative; each tensor, by norm, to
`--tolerance` of its update (running statistics: 1e-4 of their size), or to 4 times PyTorch float32's own
difference (see the comment at the check).

WORK_DIR/step keeps cnnc's run (the images in WORK_DIR/data). WORK_DIR/onnx.yaml and WORK_DIR/onnx/ hold the
network for the ONNX check that follows in Tests/EndToEnd/zoo.sh: the initial weights with every batchnorm's
running statistics those of 16 other random images (WORK_DIR/onnx-data; momentum 1, one step of lr 1e-12), so
that inference sees statistics that fit its weights (with torchvision's initial running statistics, mean 0 and
variance 1, ResNet-50's logits at inference reach 1e11)."""
import argparse, json, os, shutil, struct, subprocess, sys
import numpy as np, torch, torchvision, yaml
from zoo_peer import torchvision_model
from safetensors.torch import load_file, save_file

parser = argparse.ArgumentParser()
parser.add_argument('cnnc'); parser.add_argument('spec'); parser.add_argument('work')
parser.add_argument('--size', type=int, default=64)
parser.add_argument('--batch', type=int, default=2)
parser.add_argument('--tolerance', type=float, default=0.01)
parser.add_argument('--kernels', default='fastest', help='passed to cnnc train --kernels')
args = parser.parse_args()
shutil.rmtree(args.work, ignore_errors=True)
os.makedirs(f'{args.work}/data')
lr = 0.1


def for_one_step(node, momentum=None):
    """The spec with every dropout rate 0 (dropout draws different masks in the two frameworks) and, when
    `momentum` is given, every batchnorm's momentum set to it."""
    if isinstance(node, dict):
        out = {}
        for k, v in node.items():
            if k == 'dropout':
                out[k] = {'rate': 0}
            elif k == 'batchnorm' and momentum is not None:
                out[k] = dict(v or {}, momentum=momentum)
            else:
                out[k] = for_one_step(v, momentum)
        return out
    if isinstance(node, list):
        return [({'dropout': {'rate': 0}} if item == 'dropout'
                 else {'batchnorm': {'momentum': momentum}} if item == 'batchnorm' and momentum is not None
                 else for_one_step(item, momentum)) for item in node]
    return node


def write_idx(path, array):
    with open(path, 'wb') as f:
        f.write(bytes([0, 0, 8, array.ndim]) + b''.join(struct.pack('>I', d) for d in array.shape) + array.tobytes())


def ordered_tensor_names(path):
    """A safetensors file's tensor names in the order its header lists them (cnnc writes them in layer order)."""
    with open(path, 'rb') as f:
        length = struct.unpack('<Q', f.read(8))[0]
        header = json.loads(f.read(length))
    return [name for name in header if name != '__metadata__']


spec = for_one_step(yaml.safe_load(open(args.spec)))
spec['input'] = [3, args.size, args.size]
spec['train'] = {'epochs': 1, 'batch': args.batch, 'optimizer': {'name': 'sgd', 'lr': lr}, 'seed': 1}
spec_path = f'{args.work}/spec.yaml'
yaml.safe_dump(spec, open(spec_path, 'w'), sort_keys=False)


def cnnc_train(out, *extra):
    threads = ['--threads', os.environ['CNNC_THREADS']] if 'CNNC_THREADS' in os.environ else []
    subprocess.run([args.cnnc, 'train', spec_path, '--data', f'{args.work}/data', '--out', out, '--kernels', args.kernels,
                    *threads, *extra], check=True, stdout=subprocess.DEVNULL)
    losses = [float(line.split(',')[2]) for line in open(f'{out}/metrics.csv').read().splitlines()[1:]]
    return load_file(f'{out}/last.safetensors'), losses[0]


def write_data(images, labels):
    for prefix in ('train', 't10k'):
        write_idx(f'{args.work}/data/{prefix}-images-idx4-ubyte', images)
        write_idx(f'{args.work}/data/{prefix}-labels-idx1-ubyte', labels)


# cnnc's tensor names and shapes, in order, from a run with its own init on blank images (only the names are used).
write_data(np.zeros((args.batch, 3, args.size, args.size), np.uint8), np.zeros(args.batch, np.uint8))
names_run, _ = cnnc_train(f'{args.work}/names')
names = ordered_tensor_names(f'{args.work}/names/last.safetensors')

torch.manual_seed(0)
model = torchvision_model(args.spec)
for module in model.modules():
    if isinstance(module, (torch.nn.Dropout, torchvision.ops.StochasticDepth)):
        module.p = 0.0
theirs = [(k, v) for k, v in model.state_dict().items() if not k.endswith('num_batches_tracked')]
if len(theirs) != len(names):
    sys.exit(f'FAIL: torchvision has {len(theirs)} tensors, cnnc {len(names)}')
initial = {}
for name, (their_name, value) in zip(names, theirs):
    if tuple(names_run[name].shape) != tuple(value.shape):
        sys.exit(f'FAIL: cnnc {name} {tuple(names_run[name].shape)} is torchvision {their_name} {tuple(value.shape)}')
    initial[name] = value.float().contiguous()
save_file(initial, f'{args.work}/initial.safetensors')


def smallest_max_pool_gap(images):
    """The smallest relative gap between the largest and second-largest value of any max-pool window with a
    positive maximum, in PyTorch float64 from the initial weights. Below float32's rounding through the network
    (~1e-5), two implementations may pick different winners and route that window's gradient differently."""
    gaps = [float('inf')]

    def hook(module, inputs, output):
        x = inputs[0]
        k, s, p = (module.kernel_size, module.stride, module.padding)
        oh, ow = output.shape[-2:]
        extra_h = max(0, (oh - 1) * s + k - (x.shape[-2] + 2 * p))
        extra_w = max(0, (ow - 1) * s + k - (x.shape[-1] + 2 * p))
        padded = torch.nn.functional.pad(x, (p, p + extra_w, p, p + extra_h), value=float('-inf'))
        windows = torch.nn.functional.unfold(padded, k, stride=s).view(x.shape[0], x.shape[1], k * k, -1)[..., :oh * ow]
        top = windows.topk(2, dim=2).values
        # Exact ties (a max-pool after a max-pool repeats values) go to the first pixel in both frameworks.
        positive = (top[:, :, 0] > 0) & (top[:, :, 0] > top[:, :, 1])
        relative = (top[:, :, 0] - top[:, :, 1]) / top[:, :, 0].abs().clamp_min(1e-300)
        if positive.any():
            gaps.append(relative[positive].min().item())

    net = model.double().train()
    net.load_state_dict({their_name: initial[name].double() for name, (their_name, _) in zip(names, theirs)}, strict=False)
    handles = [m.register_forward_hook(hook) for m in net.modules() if isinstance(m, torch.nn.MaxPool2d)]
    with torch.no_grad():
        net(torch.tensor(images, dtype=torch.float64) / 255)
    for h in handles:
        h.remove()
    return min(gaps)


# The data: random colour images and labels below 1000.
rng = np.random.default_rng(7)
images = rng.integers(0, 256, size=(args.batch, 3, args.size, args.size), dtype=np.uint8)
labels = rng.integers(0, 1000, size=args.batch).astype(np.uint8)
gap = smallest_max_pool_gap(images)
if gap < float('inf'):
    print(f'smallest relative gap between the two largest values of a max-pool window: {gap:.1e}')
write_data(images, labels)

after, cnnc_loss = cnnc_train(f'{args.work}/step', '--init-weights', f'{args.work}/initial.safetensors')
# The network for the ONNX check (see the docstring): WORK_DIR/onnx.yaml and WORK_DIR/onnx/last.safetensors.
onnx_spec = dict(for_one_step(yaml.safe_load(open(args.spec)), momentum=1.0), input=spec['input'],
                 train=dict(spec['train'], batch=16, optimizer={'name': 'sgd', 'lr': 1e-12}))
# Its data: 16 random images (the statistics of 2 are too few for a 2×2 map at the last stage: a channel's variance
# over 8 values can be tiny, and inference then divides rounding noise by it).
onnx_rng = np.random.default_rng(8)
onnx_images = onnx_rng.integers(0, 256, size=(16, 3, args.size, args.size), dtype=np.uint8)
onnx_labels = onnx_rng.integers(0, 1000, size=16).astype(np.uint8)
os.makedirs(f'{args.work}/onnx-data')
for prefix in ('train', 't10k'):
    write_idx(f'{args.work}/onnx-data/{prefix}-images-idx4-ubyte', onnx_images)
    write_idx(f'{args.work}/onnx-data/{prefix}-labels-idx1-ubyte', onnx_labels)
yaml.safe_dump(onnx_spec, open(f'{args.work}/onnx.yaml', 'w'), sort_keys=False)
subprocess.run([args.cnnc, 'train', f'{args.work}/onnx.yaml', '--data', f'{args.work}/onnx-data', '--out', f'{args.work}/onnx',
                '--init-weights', f'{args.work}/initial.safetensors'], check=True, stdout=subprocess.DEVNULL)


def torch_step(dtype):
    """PyTorch's loss, updated parameters and running statistics after one step from the same values."""
    net = model.to(dtype).train()
    net.load_state_dict({their_name: initial[name].to(dtype) for name, (their_name, _) in zip(names, theirs)}, strict=False)
    net.zero_grad()
    loss = torch.nn.functional.cross_entropy(net(torch.tensor(images, dtype=dtype) / 255), torch.tensor(labels.astype(np.int64)))
    loss.backward()
    parameters = dict(net.named_parameters())
    state = net.state_dict()
    result = {}
    for name, (their_name, _) in zip(names, theirs):
        if their_name in parameters:
            p = parameters[their_name]
            result[name] = ((p.detach() - lr * p.grad).double(), (lr * p.grad).abs().max().item())
        else:
            result[name] = (state[their_name].double().clone(), None)
    return loss.item(), result


reference_loss, reference = torch_step(torch.float64)
_, single = torch_step(torch.float32)
failed = 0
loss_diff = abs(reference_loss - cnnc_loss) / abs(reference_loss)
print(f'{"ok  " if loss_diff <= 1e-4 else "FAIL"} loss: pytorch {reference_loss:.6f}, cnnc {cnnc_loss:.6f} (relative difference {loss_diff:.1e})')
failed += loss_diff > 1e-4
# Each tensor: the norm of cnnc's difference from PyTorch in float64 must be within `tolerance` of the norm of
# the tensor's update (of its value, for running statistics), or within 4 times PyTorch float32's own difference.
# Norms, not the largest element: a max-pool window whose two largest values are within float32's rounding (the
# smallest gap is printed above) may pick the other winner in any two implementations, and routes one pixel's
# gradient elsewhere; that moves a few elements of the tensors before it, not the tensor. A gradient that is a sum
# with cancellation (a first batchnorm's scale, a bias whose exact gradient is 0) is rounding noise in any float32
# implementation, and the yardstick for it is PyTorch's own float32 step.
worst = (0.0, '')
largest = (0.0, '')
by_yardstick = 0
for name in names:
    expected, update = reference[name]
    if update is not None:
        scale = max((expected - initial[name].double()).norm().item(), 1e-12)
        limit = args.tolerance
    else:
        # Running statistics: relative to their size, but a mean near 0 (the input of a batchnorm fed by a linear
        # conv of a batchnorm's output) is compared at 1e-2, where float32's rounding of values of order 1 sits.
        scale = max(expected.norm().item(), 1e-2)
        limit = 1e-4
    ours = (after[name].double() - expected).norm().item()
    theirs32 = (single[name][0] - expected).norm().item()
    if ours <= limit * scale:
        largest = max(largest, (ours / scale, name))
    elif ours <= 4 * theirs32:
        by_yardstick += 1
        worst = max(worst, (ours / theirs32, name))
    else:
        failed += 1
        print(f'FAIL {name}: |pytorch64 - cnnc| {ours:.2e} (PyTorch float32: {theirs32:.2e}), |update| {scale:.2e}')
print(f'{"ok  " if not failed else "FAIL"} {len(names)} tensors after one step against PyTorch (float64): '
      f'{len(names) - by_yardstick - failed} within {args.tolerance:g} of their update (the largest {largest[0]:.1e}, {largest[1]})'
      + (f'; {by_yardstick} more within {worst[0]:.1f}× PyTorch float32\'s own difference (the largest, {worst[1]})' if by_yardstick else '')
      + (f'; {failed} beyond both' if failed else ''))
sys.exit(1 if failed else 0)
