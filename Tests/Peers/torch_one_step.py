"""One SGD step of DeepConvNet (dropout off) in cnnc and in PyTorch (float64) from the same initial
weights on the same 100 real digits: the updated weights must agree. This checks cnnc's whole forward
pass, backward pass and update against PyTorch at full size, not only layer by layer.

usage: python3 torch_one_step.py CNNC_BINARY SPEC MNIST_DIR [KERNELS [TOLERANCE]]   (needs torch, safetensors, PyYAML)
KERNELS is passed to `cnnc train --kernels` (default fastest); TOLERANCE is the allowed difference as a
fraction of each tensor's largest update (default 0.01).

cnnc's initial biases are exactly 0, so "initial weights" are read from a run with a learning rate of
1e-12 (weights move by ~1e-13) and its biases are reset to 0. Max-pool windows with two equal values
(or a ReLU input within rounding of 0) may route a gradient differently when the two frameworks round
differently, so by default each tensor must agree to 1% of its largest update. Measured on these 100
digits: ~1e-6 of the update everywhere with the direct kernels; with im2col + GEMM or Winograd one
near-tie in the first three pools routes differently and conv1-conv4 differ by up to 2e-3 of their
update (conv4.bias, which sums over the pool's routes, still agrees to 1e-6)."""
import gzip, os, subprocess, sys, tempfile
import numpy as np, torch, torch.nn.functional as F, yaml
from safetensors.torch import load_file

cnnc, spec_path, mnist = sys.argv[1:4]
kernels = sys.argv[4] if len(sys.argv) > 4 else 'fastest'
tolerance = float(sys.argv[5]) if len(sys.argv) > 5 else 0.01
work = tempfile.mkdtemp()
os.makedirs(f'{work}/data')
for prefix, picks in [('train', range(0, 5000, 50)), ('t10k', range(100))]:
    images = gzip.open(f'{mnist}/{prefix}-images-idx3-ubyte.gz').read()
    labels = gzip.open(f'{mnist}/{prefix}-labels-idx1-ubyte.gz').read()
    n = len(picks)
    with open(f'{work}/data/{prefix}-images-idx3-ubyte', 'wb') as f:
        f.write(images[:4] + n.to_bytes(4, 'big') + images[8:16] + b''.join(images[16 + i * 784:16 + (i + 1) * 784] for i in picks))
    with open(f'{work}/data/{prefix}-labels-idx1-ubyte', 'wb') as f:
        f.write(labels[:4] + n.to_bytes(4, 'big') + bytes(labels[8 + i] for i in picks))

spec = yaml.safe_load(open(spec_path))
for item in spec['layers']:
    if isinstance(item, dict) and 'dropout' in item:
        item['dropout']['rate'] = 0
def run(lr, out):
    spec['train'] = {'epochs': 1, 'batch': 100, 'optimizer': {'name': 'sgd', 'lr': lr}}
    path = f'{work}/{out}.yaml'
    yaml.safe_dump(spec, open(path, 'w'))
    subprocess.run([cnnc, 'train', path, '--data', f'{work}/data', '--out', f'{work}/{out}', '--kernels', kernels], check=True, stdout=subprocess.DEVNULL)
    return load_file(f'{work}/{out}/last.safetensors')
lr = 0.1
w0, w1 = run(1e-12, 'initial'), run(lr, 'step')

def raw(p):
    b = open(p, 'rb').read(); nd = b[3]; dims = [int.from_bytes(b[4 + 4 * i:8 + 4 * i], 'big') for i in range(nd)]
    return np.frombuffer(b, np.uint8, offset=4 + 4 * nd).reshape(dims)
x = torch.tensor(raw(f'{work}/data/train-images-idx3-ubyte'), dtype=torch.float64).unsqueeze(1) / 255
y = torch.tensor(raw(f'{work}/data/train-labels-idx1-ubyte').astype(np.int64))
params = {k: (torch.zeros_like(v) if k.endswith('.bias') else v).double().requires_grad_(True) for k, v in w0.items()}
counts, h = {}, x
for item in spec['layers']:
    kind, args = (item, {}) if isinstance(item, str) else next(iter(item.items()))
    args = args or {}
    counts[kind] = counts.get(kind, 0) + 1
    name = args.get('name', f'{kind}{counts[kind]}')
    if kind == 'conv': h = F.conv2d(h, params[name + '.weight'], params.get(name + '.bias'), padding=args.get('pad', 0))
    elif kind == 'relu': h = F.relu(h)
    elif kind == 'maxpool': h = F.max_pool2d(h, args['size'], args.get('stride', args['size']))
    elif kind == 'dense': h = F.linear(h.flatten(1), params[name + '.weight'], params.get(name + '.bias'))
    elif kind == 'dropout': pass
    else: sys.exit(f'torch_one_step.py does not map layer kind {kind}')
F.cross_entropy(h, y).backward()
failed = 0
for k, p in params.items():
    step = (lr * p.grad).abs().max().item()
    diff = (p.detach() - lr * p.grad - w1[k].double()).abs().max().item()
    ok = diff <= tolerance * step
    failed += not ok
    print(f'{"ok  " if ok else "FAIL"} {k:15s} max |pytorch - cnnc| {diff:.1e}  (largest update {step:.1e})')
sys.exit(1 if failed else 0)
