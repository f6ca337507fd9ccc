"""cnnc on folders of real colour photographs (photo_patches.py), against torchvision's ImageFolder + ToTensor:

1. decoding: cnnc's pixels equal Pillow's exactly for PNG and to ±1 (of 255) for JPEG. cnnc's pixels are read
   through its public interface: a network that is the identity (a 1×1 convolution with the identity matrix as
   weights, then flatten) evaluated with `cnnc eval --logits` writes every test image's pixels, C×H×W, as CSV;
2. one SGD step of an RGB network on all training patches (PNG) from the same initial weights gives PyTorch's
   weights (float64), to 1% of each tensor's largest update;
3. a short training (Adam, 12 epochs of batch 32) reaches the test accuracy PyTorch reaches with the same network,
   initial weights and settings (its own shuffling): the mean over three seeds within 4 points, or ahead (one run
   moves by ±3 points with the shuffling alone); every run far above chance (25%).

usage: python3 photo_peer.py CNNC_BINARY PHOTOS_DIR WORK_DIR   (needs torch, torchvision, safetensors, PyYAML)"""
import sys
import numpy as np, torch, torch.nn.functional as F, yaml
from safetensors.torch import save_file
from torchvision import datasets, transforms
from spec_in_torch import logits, train_cnnc
import subprocess

cnnc, root, work = sys.argv[1:4]
failed = 0


def report(ok, text):
    global failed
    failed += not ok
    print(f'{"ok  " if ok else "FAIL"} {text}')


def tensors(kind, split):
    """torchvision's view of a folder: ImageFolder (Pillow decoding, sorted classes and files) + ToTensor."""
    folder = datasets.ImageFolder(f'{root}/{kind}/{split}', transform=transforms.ToTensor())
    return torch.stack([image for image, _ in folder]).double(), torch.tensor([label for _, label in folder])


# 1. Decoding.
identity = {'name': 'pixels', 'input': [3, 32, 32], 'layers': [{'conv': {'filters': 3, 'size': 1, 'name': 'pixels'}}, 'flatten']}
yaml.safe_dump(identity, open(f'{work}/identity.yaml', 'w'))
save_file({'pixels.weight': torch.eye(3).reshape(3, 3, 1, 1).contiguous(), 'pixels.bias': torch.zeros(3)}, f'{work}/identity.safetensors')
for kind, allowed in [('png', 0), ('jpeg', 1)]:
    subprocess.run([cnnc, 'eval', f'{work}/identity.yaml', '--weights', f'{work}/identity.safetensors', '--data', f'{root}/{kind}',
                    '--logits', f'{work}/{kind}.csv'], check=True, stdout=subprocess.DEVNULL)
    ours = np.loadtxt(f'{work}/{kind}.csv', delimiter=',') * 255
    theirs = tensors(kind, 'test')[0].flatten(1).numpy() * 255
    difference = np.abs(ours - theirs)
    report(ours.shape == theirs.shape and difference.max() <= allowed + 1e-3,
           f'{kind}: {len(ours)} test images decode as Pillow decodes them: largest difference {difference.max():.3f} of 255 '
           f'(allowed {allowed}), {np.mean(difference < 0.5):.2%} of values equal')

# 2. One SGD step.
spec = {'name': 'photos', 'input': [3, 32, 32], 'layers': [
    {'conv': {'filters': 16, 'size': 3, 'pad': 1}}, 'relu', {'maxpool': {'size': 2}},
    {'conv': {'filters': 32, 'size': 3, 'pad': 1}}, 'relu', {'maxpool': {'size': 2}},
    {'dense': {'units': 4}}]}
x, y = tensors('png', 'train')
lr = 0.1
def step(lr, out):
    return train_cnnc(cnnc, spec, {'epochs': 1, 'batch': len(y), 'optimizer': {'name': 'sgd', 'lr': lr}}, f'{root}/png', f'{work}/{out}')[0]
w0, w1 = step(1e-12, 'initial'), step(lr, 'step')
params = {k: (torch.zeros_like(v) if k.endswith('.bias') else v).double().requires_grad_(True) for k, v in w0.items()}
F.cross_entropy(logits(spec, params, x, 'photo_peer.py'), y).backward()
for k, p in params.items():
    largest = (lr * p.grad).abs().max().item()
    difference = (p.detach() - lr * p.grad - w1[k].double()).abs().max().item()
    report(difference <= 0.01 * largest, f'one SGD step on {len(y)} RGB patches: {k:13s} max |pytorch - cnnc| {difference:.1e} '
           f'(largest update {largest:.1e})')

# 3. A short training, cnnc and PyTorch from the same initial weights, three seeds each: one run's test accuracy moves by
# ±3 points with the shuffling alone, so the means are compared.
epochs, batch, seeds = 12, 32, [1, 2, 3]
xt, yt = tensors('png', 'test')
ours, theirs = [], []
for seed in seeds:
    start = train_cnnc(cnnc, spec, {'epochs': 1, 'batch': batch, 'optimizer': {'name': 'sgd', 'lr': 1e-12}, 'seed': seed},
                       f'{root}/png', f'{work}/initial-{seed}')[0]
    train_cnnc(cnnc, spec, {'epochs': epochs, 'batch': batch, 'optimizer': {'name': 'adam', 'lr': 0.001}, 'seed': seed},
               f'{root}/png', f'{work}/short-{seed}')
    rows = open(f'{work}/short-{seed}/metrics.csv').read().splitlines()
    ours.append(float(rows[-1].split(',')[rows[0].split(',').index('test_accuracy')]))
    torch.manual_seed(seed)
    params = {k: (torch.zeros_like(v) if k.endswith('.bias') else v).float().requires_grad_(True) for k, v in start.items()}
    optimizer = torch.optim.Adam(params.values(), lr=0.001)
    for epoch in range(epochs):
        for indices in torch.randperm(len(y)).split(batch):
            optimizer.zero_grad()
            F.cross_entropy(logits(spec, params, x[indices].float(), 'photo_peer.py'), y[indices]).backward()
            optimizer.step()
    with torch.no_grad():
        theirs.append((logits(spec, params, xt.float(), 'photo_peer.py').argmax(1) == yt).float().mean().item())
    print(f'     seed {seed}: cnnc {ours[-1]:.2%}, PyTorch {theirs[-1]:.2%}')
mean_ours, mean_theirs = np.mean(ours), np.mean(theirs)
report(mean_ours >= mean_theirs - 0.04 and min(ours + theirs) > 0.5,
       f'{epochs} epochs of Adam on {len(y)} patches, seeds {seeds}: mean test accuracy cnnc {mean_ours:.2%}, PyTorch {mean_theirs:.2%} '
       f'({len(yt)} test patches; cnnc must be within 4 points or ahead, both far above chance, 25%)')
sys.exit(1 if failed else 0)
