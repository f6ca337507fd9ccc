"""Benchmarks/layers.sh's table: joins `cnnc bench --json` (cnnc.R.json), torch_layers.py (torch.R.json) and fma_peak
(peak.R) of rounds 1..R in a directory. Convs are matched in forward order and each pair is checked by its
multiply-adds. Each layer's time is the faster round of each side; the limit is the highest the rounds measured.

usage: python3 layers_table.py DIR ROUNDS BATCH"""
import json, os, sys
from collections import OrderedDict

directory, rounds, batch = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
ours = [json.load(open(os.path.join(directory, f'cnnc.{r}.json'))) for r in range(1, rounds + 1)]
theirs = [json.load(open(os.path.join(directory, f'torch.{r}.json'))) for r in range(1, rounds + 1)]
limits = {}
for r in range(1, rounds + 1):
    for line in open(os.path.join(directory, f'peak.{r}')):
        isa, gflops = line.split()
        limits[isa] = max(limits.get(isa, 0), float(gflops))
limit = limits.get('avx512', limits['avx2'])  # cnnc's kernels and OpenBLAS use AVX-512 where the CPU has it

conv_kinds = ('conv', 'depthwise')
layers = [[l for l in run['layers'] if l['kind'] in conv_kinds] for run in ours]
convs = theirs[0]['convs']
if len(layers[0]) != len(convs):
    sys.exit(f'layers_table: cnnc has {len(layers[0])} convs, PyTorch {len(convs)}: not the same network')


def macs_per_image(conv):
    oh, ow = conv['output_hw']
    return oh * ow * conv['out'] * conv['in'] // conv['groups'] * conv['kernel'][0] * conv['kernel'][1]


rows = []
for i, conv in enumerate(convs):
    name = layers[0][i]['name']
    if layers[0][i]['forward_multiply_adds_per_image'] != macs_per_image(conv):
        sys.exit(f'layers_table: conv {i + 1} ({name}) has {layers[0][i]["forward_multiply_adds_per_image"]} multiply-adds per '
                 f'image in cnnc, {macs_per_image(conv)} in PyTorch: the convs are not in the same order')
    k, s = conv['kernel'][0], conv['stride'][0]
    depthwise = conv['groups'] > 1
    shape = f"{k}x{k}{' dw' if depthwise else ''} s{s} {conv['in']}->{conv['out']} @{conv['input_hw'][0]}"
    forward = min(run[i]['forward_ms'] for run in layers), min(t['convs'][i]['forward_ms'] for t in theirs)
    backward = min(run[i]['backward_ms'] for run in layers), min(t['convs'][i]['backward_ms'] for t in theirs)
    flops = 2 * macs_per_image(conv) * batch * (2 if i == 0 else 3)  # forward, weight gradient, input gradient (not the first)
    rows.append((name, shape, forward, backward, flops))


def ratio(pair):
    return f'{pair[1] / pair[0]:.2f}' if pair[0] > 0 else '-'


print(f'limit: {limit:.0f} GFLOP/s (independent FMAs on every thread, {"zmm" if "avx512" in limits else "ymm"}; the best of the rounds)')
print('ratio: PyTorch time / cnnc time (above 1: cnnc faster); cnnc GF/s: the conv\'s training FLOPs over its forward + backward time\n')
width = max(len(row[0]) for row in rows)
print(f'{"conv":<{width}} {"shape":<24} {"fwd ms":>7} {"torch":>7} {"ratio":>5}  {"bwd ms":>7} {"torch":>7} {"ratio":>5}  {"GF/s":>5} {"limit":>5}')
for name, shape, forward, backward, flops in rows:
    gflops = flops / ((forward[0] + backward[0]) * 1e6)
    print(f'{name:<{width}} {shape:<24} {forward[0]:7.2f} {forward[1]:7.2f} {ratio(forward):>5}  {backward[0]:7.2f} {backward[1]:7.2f} '
          f'{ratio(backward):>5}  {gflops:5.0f} {gflops / limit:5.0%}')

groups = OrderedDict()
for name, shape, forward, backward, flops in rows:
    g = groups.setdefault(shape, [0, 0.0, 0.0, 0.0])
    g[0] += 1
    g[1] += forward[0] + backward[0]
    g[2] += forward[1] + backward[1]
    g[3] += flops
print(f'\nby shape, most time lost to PyTorch first (ms per step, forward + backward):')
print(f'{"shape":<24} {"convs":>5} {"cnnc":>8} {"torch":>8} {"lost":>7} {"GF/s":>5} {"limit":>5}')
for shape, (count, mine, peer, flops) in sorted(groups.items(), key=lambda kv: kv[1][2] - kv[1][1]):
    gflops = flops / (mine * 1e6)
    print(f'{shape:<24} {count:5d} {mine:8.1f} {peer:8.1f} {mine - peer:7.1f} {gflops:5.0f} {gflops / limit:5.0%}')

conv_ms = sum(f[0] + b[0] for _, _, f, b, _ in rows), sum(f[1] + b[1] for _, _, f, b, _ in rows)
bn_ms = (min(sum(l['forward_ms'] + l['backward_ms'] for l in run['layers'] if l['kind'] == 'batchnorm') for run in ours),
         min(t['batchnorm_ms'] for t in theirs))
step_ms = min(1000 * batch / run['train_images_per_s'] for run in ours), min(t['step_ms'] for t in theirs)
print(f'\n{"step, ms":<24} {"cnnc":>8} {"torch":>8} {"ratio":>6}')
for label, pair in (('convs', conv_ms), ('batchnorms', bn_ms), ('whole step', step_ms)):
    print(f'{label:<24} {pair[0]:8.1f} {pair[1]:8.1f} {ratio(pair):>6}')
print("(PyTorch's step as its profiler saw it; cnnc's layers from separately timed steps, its whole step timed as one,\n"
      " so its layers can add up to more than its step)")
