"""Benchmarks/layers.sh's table: joins `cnnc bench --json` (cnnc.R.json), torch_layers.py (torch.R.json) and fma_peak
(peak.R) of rounds 1..R in a directory; with --inference, `cnnc bench --inference-only --json` and ort_layers.py
(ort.R.json), forward passes only. Convs are matched in forward order (ONNX Runtime's: the first not yet matched of
the same multiply-adds) and each pair is checked by its multiply-adds.
Each layer's time is the faster round of each side; the limit is the highest the rounds measured.

usage: python3 layers_table.py DIR ROUNDS BATCH [--inference]"""
import json, os, sys
from collections import OrderedDict

directory, rounds, batch = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
inference = sys.argv[4:] == ['--inference']
peer = 'ONNX Runtime' if inference else 'PyTorch'
ours = [json.load(open(os.path.join(directory, f'cnnc.{r}.json'))) for r in range(1, rounds + 1)]
theirs = [json.load(open(os.path.join(directory, f'{"ort" if inference else "torch"}.{r}.json'))) for r in range(1, rounds + 1)]
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
    sys.exit(f'layers_table: cnnc has {len(layers[0])} convs, {peer} {len(convs)}: not the same network')


def macs_per_image(conv):
    oh, ow = conv['output_hw']
    return oh * ow * conv['out'] * conv['in'] // conv['groups'] * conv['kernel'][0] * conv['kernel'][1]


if inference:
    # ONNX Runtime may run a block's shortcut conv before its body: each cnnc conv takes the first conv of ORT's order
    # not yet taken with the same multiply-adds (a shortcut and the body's last conv have the same shape).
    order, taken = [], set()
    for layer in layers[0]:
        j = next((j for j in range(len(convs)) if j not in taken
                  and macs_per_image(convs[j]) == layer['forward_multiply_adds_per_image']), None)
        if j is None:
            sys.exit(f'layers_table: no ONNX Runtime conv has the {layer["forward_multiply_adds_per_image"]} multiply-adds of '
                     f'{layer["name"]}: not the same network')
        taken.add(j)
        order.append(j)
    for t in theirs:
        t['convs'] = [t['convs'][j] for j in order]
    convs = theirs[0]['convs']

rows = []
for i, conv in enumerate(convs):
    name = layers[0][i]['name']
    if layers[0][i]['forward_multiply_adds_per_image'] != macs_per_image(conv):
        sys.exit(f'layers_table: conv {i + 1} ({name}) has {layers[0][i]["forward_multiply_adds_per_image"]} multiply-adds per '
                 f'image in cnnc, {macs_per_image(conv)} in {peer}: the convs are not in the same order')
    k, s = conv['kernel'][0], conv['stride'][0]
    depthwise = conv['groups'] > 1
    shape = f"{k}x{k}{' dw' if depthwise else ''} s{s} {conv['in']}->{conv['out']} @{conv['input_hw'][0]}"
    forward = min(run[i]['forward_ms'] for run in layers), min(t['convs'][i]['forward_ms'] for t in theirs)
    backward = (0.0, 0.0) if inference else (min(run[i]['backward_ms'] for run in layers),
                                              min(t['convs'][i]['backward_ms'] for t in theirs))
    # forward, then in training the weight gradient and the input gradient (not the first conv's)
    flops = 2 * macs_per_image(conv) * batch * (1 if inference else 2 if i == 0 else 3)
    rows.append((name, shape, forward, backward, flops))


if inference:
    # A fused block (MobileNet's inverted bottleneck, `BottleneckFusion`) is timed as one, on its first conv; its other
    # convs are marked fused: each joins the row before it, with its ONNX Runtime time and its FLOPs.
    merged, joined = [], []
    for i, row in enumerate(rows):
        if layers[0][i].get('fused') and merged:
            name, shape, forward, backward, flops = merged[-1]
            merged[-1] = (name, shape, (forward[0], forward[1] + row[2][1]), backward, flops + row[4])
            joined[-1] += 1
        else:
            merged.append(row)
            joined.append(0)
    rows = [(name, shape + (f' +{n}' if n else ''), *rest) for (name, shape, *rest), n in zip(merged, joined)]


def ratio(pair):
    return f'{pair[1] / pair[0]:.2f}' if pair[0] > 0 else '-'


print(f'limit: {limit:.0f} GFLOP/s (independent FMAs on every thread, {"zmm" if "avx512" in limits else "ymm"}; the best of the rounds)')
print(f'ratio: {peer} time / cnnc time (above 1: cnnc faster); cnnc GF/s: the conv\'s '
      + ('inference FLOPs over its forward time\n' if inference else 'training FLOPs over its forward + backward time\n'))
width, side = max(len(row[0]) for row in rows), 'ORT' if inference else 'torch'
print(f'{"conv":<{width}} {"shape":<24} {"fwd ms":>7} {side:>7} {"ratio":>5}  ' + ('' if inference else f'{"bwd ms":>7} {"torch":>7} {"ratio":>5}  ')
      + f'{"GF/s":>5} {"limit":>5}')
for name, shape, forward, backward, flops in rows:
    gflops = flops / ((forward[0] + backward[0]) * 1e6)
    print(f'{name:<{width}} {shape:<24} {forward[0]:7.2f} {forward[1]:7.2f} {ratio(forward):>5}  '
          + ('' if inference else f'{backward[0]:7.2f} {backward[1]:7.2f} {ratio(backward):>5}  ') + f'{gflops:5.0f} {gflops / limit:5.0%}')

groups = OrderedDict()
for name, shape, forward, backward, flops in rows:
    g = groups.setdefault(shape, [0, 0.0, 0.0, 0.0])
    g[0] += 1
    g[1] += forward[0] + backward[0]
    g[2] += forward[1] + backward[1]
    g[3] += flops
print(f'\nby shape, most time lost to {peer} first (ms per ' + ('batch):' if inference else 'step, forward + backward):'))
print(f'{"shape":<24} {"convs":>5} {"cnnc":>8} {side:>8} {"lost":>7} {"GF/s":>5} {"limit":>5}')
for shape, (count, mine, peer, flops) in sorted(groups.items(), key=lambda kv: kv[1][2] - kv[1][1]):
    gflops = flops / (mine * 1e6)
    print(f'{shape:<24} {count:5d} {mine:8.1f} {peer:8.1f} {mine - peer:7.1f} {gflops:5.0f} {gflops / limit:5.0%}')

conv_ms = sum(f[0] + b[0] for _, _, f, b, _ in rows), sum(f[1] + b[1] for _, _, f, b, _ in rows)
if inference:
    batch_ms = min(1000 * batch / run['infer_images_per_s'] for run in ours), min(t['run_ms'] for t in theirs)
    print(f'\n{"batch, ms":<24} {"cnnc":>8} {"ORT":>8} {"ratio":>6}')
    for label, pair in (('convs', conv_ms), ('whole batch', batch_ms)):
        print(f'{label:<24} {pair[0]:8.1f} {pair[1]:8.1f} {ratio(pair):>6}')
    print("(ONNX Runtime's convs as its profiler saw them, with the batchnorm, the activation and at times the residual add\n"
          " fused in; its whole batch and cnnc's timed unprofiled; `+2`: a fused block, its first conv's shape, then the\n"
          " convs it also computes, both sides' times summed over them)")
    sys.exit(0)
bn_ms = (min(sum(l['forward_ms'] + l['backward_ms'] for l in run['layers'] if l['kind'] == 'batchnorm') for run in ours),
         min(t['batchnorm_ms'] for t in theirs))
step_ms = min(1000 * batch / run['train_images_per_s'] for run in ours), min(t['step_ms'] for t in theirs)
print(f'\n{"step, ms":<24} {"cnnc":>8} {"torch":>8} {"ratio":>6}')
for label, pair in (('convs', conv_ms), ('batchnorms', bn_ms), ('whole step', step_ms)):
    print(f'{label:<24} {pair[0]:8.1f} {pair[1]:8.1f} {ratio(pair):>6}')
print("(PyTorch's step as its profiler saw it; cnnc's layers from separately timed steps, its whole step timed as one,\n"
      " so its layers can add up to more than its step)")
