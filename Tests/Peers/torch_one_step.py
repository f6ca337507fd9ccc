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
import os, sys, tempfile
import numpy as np, torch, torch.nn.functional as F
from spec_in_torch import load_spec_without_dropout, logits, read_idx, train_cnnc, write_subset

cnnc, spec_path, mnist = sys.argv[1:4]
kernels = sys.argv[4] if len(sys.argv) > 4 else 'fastest'
tolerance = float(sys.argv[5]) if len(sys.argv) > 5 else 0.01
work = tempfile.mkdtemp()
write_subset(mnist, f'{work}/data', {'train': range(0, 5000, 50), 't10k': range(100)})
spec = load_spec_without_dropout(spec_path)
def run(lr, out):
    return train_cnnc(cnnc, spec, {'epochs': 1, 'batch': 100, 'optimizer': {'name': 'sgd', 'lr': lr}},
                      f'{work}/data', f'{work}/{out}', '--kernels', kernels)[0]
lr = 0.1
w0, w1 = run(1e-12, 'initial'), run(lr, 'step')

x = torch.tensor(read_idx(f'{work}/data/train-images-idx3-ubyte'), dtype=torch.float64).unsqueeze(1) / 255
y = torch.tensor(read_idx(f'{work}/data/train-labels-idx1-ubyte').astype(np.int64))
params = {k: (torch.zeros_like(v) if k.endswith('.bias') else v).double().requires_grad_(True) for k, v in w0.items()}
h = logits(spec, params, x, 'torch_one_step.py')
F.cross_entropy(h, y).backward()
failed = 0
for k, p in params.items():
    step = (lr * p.grad).abs().max().item()
    diff = (p.detach() - lr * p.grad - w1[k].double()).abs().max().item()
    ok = diff <= tolerance * step
    failed += not ok
    print(f'{"ok  " if ok else "FAIL"} {k:15s} max |pytorch - cnnc| {diff:.1e}  (largest update {step:.1e})')
sys.exit(1 if failed else 0)
