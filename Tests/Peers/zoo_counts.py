"""The zoo's figures against torchvision's: for each spec in specs/zoo (its `# peer:` line names the
torchvision.models constructor), the learned parameters, the batchnorm buffers, the multiply-adds of conv and
linear layers (counted by forward hooks, the torchvision/fvcore convention) and the output shape, at 224×224
and at a second input size. Every figure must be equal.

usage: python3 zoo_counts.py CNNC_BINARY SPEC... [--size N]   (needs torch and torchvision)
Prints one table row per network and size (torchvision's figure | cnnc's) and exits non-zero on any difference."""
import json, subprocess, sys
import torch
from zoo_peer import torchvision_model


def torchvision_figures(model, size):
    macs = 0

    def hook(module, inputs, output):
        nonlocal macs
        if isinstance(module, torch.nn.Conv2d):
            kh, kw = module.kernel_size
            macs += output[0].numel() * (module.in_channels // module.groups) * kh * kw
        elif isinstance(module, torch.nn.Linear):
            macs += module.in_features * module.out_features

    handles = [m.register_forward_hook(hook) for m in model.modules() if isinstance(m, (torch.nn.Conv2d, torch.nn.Linear))]
    model.eval()
    with torch.no_grad():
        out = model(torch.zeros(1, 3, size, size))
    for h in handles:
        h.remove()
    params = sum(p.numel() for p in model.parameters())
    buffers = sum(b.numel() for name, b in model.named_buffers() if not name.endswith('num_batches_tracked'))
    return {'params': params, 'buffers': buffers, 'macs': macs, 'output': list(out.shape[1:])}


def cnnc_figures(cnnc, spec, size):
    report = json.loads(subprocess.run([cnnc, 'params', spec, '--json', '--input', f'3x{size}x{size}'],
                                       check=True, capture_output=True, text=True).stdout)['networks'][0]
    return {'params': report['params'], 'buffers': report['buffers'], 'macs': report['total_macs'],
            'output': report['output_shape']}


def main():
    arguments = sys.argv[1:]
    cnnc = arguments.pop(0)
    second = 160
    if '--size' in arguments:
        i = arguments.index('--size')
        second = int(arguments[i + 1])
        del arguments[i:i + 2]
    failed = 0
    print(f'{"network":22s} {"input":>7s} {"figure":8s} {"torchvision":>15s} {"cnnc":>15s}')
    for spec in arguments:
        model = torchvision_model(spec)
        name = spec.rsplit('/', 1)[-1].removesuffix('.yaml')
        for size in (224, second):
            theirs, ours = torchvision_figures(model, size), cnnc_figures(cnnc, spec, size)
            for key in ('params', 'buffers', 'macs', 'output'):
                same = theirs[key] == ours[key]
                failed += not same
                fmt = (lambda v: f'{v:,}') if key != 'output' else str
                print(f'{name:22s} {size:>7d} {key:8s} {fmt(theirs[key]):>15s} {fmt(ours[key]):>15s}{"" if same else "  DIFFERENT"}')
    sys.exit(1 if failed else 0)


main()
