"""cnnc's report figures against PyTorch's own count of the same networks: learned parameters
(model.parameters()), buffers (batchnorm running mean and variance), and, by forward hooks at
inference, multiply-adds of Conv2d and Linear (the torchvision/fvcore convention) and every other
operation under docs/spec.md's rule (batchnorm 2 per value, activations 1 per value, pooling one per
window element, a residual block's add 1 per value, dropout 0).

Networks: torchvision's resnet50 against specs/zoo/resnet50.yaml, and a small network with the other kinds
(avgpool, leaky_relu, hardswish, dropout, batchnorm after dense). Tests/EndToEnd/zoo.sh compares every zoo
network's params, buffers and MACs; this adds the other operations.

usage: python3 torchvision_counts.py CNNC WORK_DIR   (needs torch and torchvision)"""
import json, subprocess, sys
import torch, torchvision
from torch import nn

cnnc, work = sys.argv[1:3]


def counts(model, shape, blocks=()):
    """(params, buffers, multiply-adds, other operations) of one image's forward pass at inference."""
    model.eval()
    params = sum(p.numel() for p in model.parameters())
    buffers = sum(b.numel() for name, b in model.named_buffers() if 'running' in name)
    total = {'macs': 0, 'other': 0}

    def leaf(module, inputs, output):
        x = inputs[0]
        if isinstance(module, nn.Conv2d):
            total['macs'] += output.numel() * module.in_channels // module.groups * module.kernel_size[0] * module.kernel_size[1]
        elif isinstance(module, nn.Linear):
            total['macs'] += module.in_features * module.out_features
        elif isinstance(module, (nn.BatchNorm1d, nn.BatchNorm2d)):
            total['other'] += 2 * output.numel()
        elif isinstance(module, (nn.MaxPool2d, nn.AvgPool2d)):
            k = module.kernel_size if isinstance(module.kernel_size, tuple) else (module.kernel_size,) * 2
            total['other'] += output.numel() * k[0] * k[1]
        elif isinstance(module, nn.AdaptiveAvgPool2d):
            total['other'] += x.numel()
        elif isinstance(module, (nn.ReLU, nn.LeakyReLU, nn.Hardswish)):
            total['other'] += output.numel()
        elif isinstance(module, (nn.Dropout, nn.Flatten)):
            pass
        else:
            raise SystemExit(f'no rule for {type(module).__name__}')

    def add(module, inputs, output):  # a residual block's shortcut add, one per output value
        total['other'] += output.numel()

    for module in model.modules():
        if not list(module.children()):
            module.register_forward_hook(leaf)
    for block in blocks:
        block.register_forward_hook(add)
    with torch.no_grad():
        model(torch.zeros(1, *shape))
    return params, buffers, total['macs'], total['other']


def cnnc_counts(yaml_text, name):
    path = f'{work}/{name}.yaml'
    open(path, 'w').write(yaml_text)
    report = json.loads(subprocess.run([cnnc, 'check', '--json', path], check=True, capture_output=True, text=True).stdout)
    net = report['networks'][0]
    return net['params'], net['buffers'], net['total_macs'], net['total_other_ops']


def resnet50():
    """torchvision's resnet50 as published, against specs/zoo/resnet50.yaml (its shortcuts written as torchvision's)."""
    model = torchvision.models.resnet50()
    blocks = [block for stage in (model.layer1, model.layer2, model.layer3, model.layer4) for block in stage]
    return model, (3, 224, 224), open('specs/zoo/resnet50.yaml').read(), blocks


def mixed():
    model = nn.Sequential(nn.Conv2d(3, 8, 3, padding=1), nn.BatchNorm2d(8), nn.LeakyReLU(0.1),
                          nn.AvgPool2d(3, stride=2, padding=1), nn.Conv2d(8, 16, 3), nn.Hardswish(),
                          nn.MaxPool2d(2), nn.Dropout(0.2), nn.Flatten(), nn.Linear(16 * 3 * 3, 32),
                          nn.BatchNorm1d(32), nn.ReLU(), nn.Linear(32, 10))
    yaml_text = '''name: mixed
input: [3, 16, 16]
layers:
  - conv: {filters: 8, size: 3, pad: 1}
  - batchnorm
  - leaky_relu: {slope: 0.1}
  - avgpool: {size: 3, stride: 2, pad: 1}
  - conv: {filters: 16, size: 3}
  - hardswish
  - maxpool: {size: 2}
  - dropout: {rate: 0.2}
  - dense: {units: 32}
  - batchnorm
  - relu
  - dense: {units: 10}
'''
    return model, (3, 16, 16), yaml_text, []


failures = 0
for name, build in [('resnet50', resnet50), ('mixed', mixed)]:
    model, shape, yaml_text, blocks = build()
    theirs = counts(model, shape, blocks)
    ours = cnnc_counts(yaml_text, name)
    labels = ('params', 'buffers', 'MACs', 'other ops')
    print(f'{name}: PyTorch ' + ', '.join(f'{v:,} {l}' for v, l in zip(theirs, labels)))
    print(f'{name}: cnnc    ' + ', '.join(f'{v:,} {l}' for v, l in zip(ours, labels)))
    failures += theirs != ours
sys.exit(1 if failures else 0)
