"""Shared by the peer checks that train a cnnc spec and replay it in PyTorch: small IDX subsets,
a cnnc training run read back (weights and per-epoch losses), and the spec's layers as PyTorch
functions (conv, relu, maxpool, dense; dropout as the identity)."""
import os, subprocess, sys
import numpy as np, torch.nn.functional as F, yaml
from safetensors.torch import load_file

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'EndToEnd'))
from idx_subset import count, read_bytes, spread, write_subset  # noqa: E402  (re-exported for the peer scripts)


def read_idx(path):
    """An IDX file (raw or gzip) as a numpy array of its dimensions."""
    blob = read_bytes(path)
    dims = [int.from_bytes(blob[4 + 4 * i:8 + 4 * i], 'big') for i in range(blob[3])]
    return np.frombuffer(blob, np.uint8, offset=4 + 4 * len(dims)).reshape(dims)


def load_spec_without_dropout(path):
    spec = yaml.safe_load(open(path))
    for item in spec['layers']:
        if isinstance(item, dict) and 'dropout' in item:
            item['dropout']['rate'] = 0
    return spec


def train_cnnc(cnnc, spec, train, data, out, *arguments):
    """Trains `spec` with its `train` section replaced; returns last.safetensors and each epoch's train loss."""
    spec = dict(spec, train=train)
    path = f'{out}.yaml'
    yaml.safe_dump(spec, open(path, 'w'))
    subprocess.run([cnnc, 'train', path, '--data', data, '--out', out, *arguments], check=True, stdout=subprocess.DEVNULL)
    losses = [float(line.split(',')[2]) for line in open(f'{out}/metrics.csv').read().splitlines()[1:]]
    return load_file(f'{out}/last.safetensors'), losses


def logits(spec, params, x, script):
    """The spec's layers applied to `x` with `params` named as cnnc names them (conv1.weight, …)."""
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
        else: sys.exit(f'{script} does not map layer kind {kind}')
    return h
