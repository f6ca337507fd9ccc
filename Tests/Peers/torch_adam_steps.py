"""Ten Adam steps of DeepConvNet (dropout off) in cnnc and in PyTorch (float64) from the same initial
weights on the same 100 real images: the loss of every step and the final weights must agree. Where
torch_one_step.py checks one gradient, this checks the optimizer over time (moments, bias corrections
by step count, epsilon) and that cnnc's whole training step keeps agreeing as it repeats.

usage: python3 torch_adam_steps.py CNNC_BINARY SPEC DATA_DIR [STEPS [KERNELS]]   (needs torch, safetensors, PyYAML)

Each cnnc epoch is one step on the same 100 images (a 100-image training set and batch 100), so
PyTorch needs no knowledge of cnnc's shuffling. Checks: every step's loss to 1e-5 relative, and each
tensor's distance from PyTorch's to 1e-3 of how far training moved it (L2). Adam normalises each
gradient element, so one that changes sign between frameworks moves by 2·lr: the default KERNELS is
`direct`, which routes every max-pool window of these images as PyTorch does (with Winograd or
im2col one near-tie in the first pools routes differently at step 1 and the runs drift apart,
~1e-2 after 20 steps, as two PyTorch runs in float32 and float64 also do).
Measured, 10 steps: losses agree to 1e-7 relative, weights to 6e-5 of their movement (mnist-5k).
For scale the script prints how far PyTorch float32 and Adam without bias correction land; an Adam
whose (1 − β₂) was rounded differently from its bias correction (6.7e-6 too long a step, a bug this
test found in cnnc) failed the loss check from step 3 on."""
import os, sys, tempfile
import numpy as np, torch, torch.nn.functional as F
from spec_in_torch import count, load_spec_without_dropout, logits, read_idx, spread, train_cnnc, write_subset

cnnc, spec_path, data = sys.argv[1:4]
steps = int(sys.argv[4]) if len(sys.argv) > 4 else 10
kernels = sys.argv[5] if len(sys.argv) > 5 else 'direct'
lr = 1e-3
work = tempfile.mkdtemp()
# 100 training images spread over the file (mnist-5k is sorted by label), and 100 test images.
write_subset(data, f'{work}/data', {kind: spread(count(data, kind), 100) for kind in ('train', 't10k')})
spec = load_spec_without_dropout(spec_path)


def run(epochs, rate, out):
    return train_cnnc(cnnc, spec, {'epochs': epochs, 'batch': 100, 'optimizer': {'name': 'adam', 'lr': rate}},
                      f'{work}/data', f'{work}/{out}', '--threads', '1', '--kernels', kernels)


# cnnc's biases start at exactly 0: read the initial weights from a run whose one step moves them by ~1e-12.
w0, _ = run(1, 1e-12, 'initial')
w1, cnnc_losses = run(steps, lr, 'steps')
x = torch.tensor(read_idx(f'{work}/data/train-images-idx3-ubyte'), dtype=torch.float64).unsqueeze(1) / 255
y = torch.tensor(read_idx(f'{work}/data/train-labels-idx1-ubyte').astype(np.int64))


def forward(params):
    return F.cross_entropy(logits(spec, params, x.to(next(iter(params.values())).dtype), 'torch_adam_steps.py'), y)


def train(dtype=torch.float64):
    params = {k: (torch.zeros_like(v) if k.endswith('.bias') else v).to(dtype).clone().requires_grad_(True) for k, v in w0.items()}
    optimizer = torch.optim.Adam(params.values(), lr=lr)
    losses = []
    for _ in range(steps):
        optimizer.zero_grad()
        loss = forward(params)
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    return {k: v.detach().double() for k, v in params.items()}, losses


def train_without_bias_correction():
    """The textbook mistake, written out, to show how far a wrong optimizer lands."""
    params = {k: (torch.zeros_like(v) if k.endswith('.bias') else v).double().clone().requires_grad_(True) for k, v in w0.items()}
    moments = {k: (torch.zeros_like(v), torch.zeros_like(v)) for k, v in params.items()}
    for _ in range(steps):
        for p in params.values(): p.grad = None
        forward(params).backward()
        with torch.no_grad():
            for k, p in params.items():
                m, v = moments[k]
                m.mul_(0.9).add_(p.grad, alpha=0.1)
                v.mul_(0.999).addcmul_(p.grad, p.grad, value=0.001)
                p.sub_(lr * m / (v.sqrt() + 1e-8))
    return {k: v.detach() for k, v in params.items()}


reference, torch_losses = train()
if os.environ.get('SHOW'):
    print('\n'.join(f'step {i + 1}: cnnc {a:.9f}  pytorch {b:.9f}' for i, (a, b) in enumerate(zip(cnnc_losses, torch_losses))))


def movement(k, v):
    return (v - (0 if k.endswith('.bias') else w0[k].double())).norm().item()


def distance(weights):
    return max((weights[k] - v).norm().item() / movement(k, v) for k, v in reference.items())


failed = 0
loss_gap = max(abs(a - b) / abs(b) for a, b in zip(cnnc_losses, torch_losses))
ok = len(cnnc_losses) == steps and loss_gap <= 1e-5
failed += not ok
print(f'{"ok  " if ok else "FAIL"} losses over {steps} Adam steps ({kernels} kernels): {torch_losses[0]:.4f} -> {torch_losses[-1]:.4f}, '
      f'largest relative difference {loss_gap:.1e} (at most 1e-5)')
for k, v in reference.items():
    gap = (v - w1[k].double()).norm().item() / movement(k, v)
    ok = gap <= 1e-3
    failed += not ok
    print(f'{"ok  " if ok else "FAIL"} {k:15s} |pytorch - cnnc| / |pytorch - initial| = {gap:.1e}')
print(f'for scale, the same measure for PyTorch in float32: {distance(train(torch.float32)[0]):.1e}; '
      f'for Adam without bias correction: {distance(train_without_bias_correction()):.1e}')
sys.exit(1 if failed else 0)
