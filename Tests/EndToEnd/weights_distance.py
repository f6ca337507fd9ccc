"""Largest relative difference between two safetensors checkpoints: max over tensors of
max|a - b| / max|a|. Standard library only (the format is an 8-byte header length, a JSON
header, then little-endian float32 data). With a third argument PREFIX, only the tensors whose names start
with it, which both must hold (the frozen layers of a fine-tuned checkpoint against its source)."""
import json
import struct
import sys
from array import array


def load(path):
    blob = open(path, 'rb').read()
    length = struct.unpack('<Q', blob[:8])[0]
    header = json.loads(blob[8:8 + length])
    tensors = {}
    for name, info in header.items():
        if name == '__metadata__':
            continue
        start, end = info['data_offsets']
        values = array('f')
        values.frombytes(blob[8 + length + start:8 + length + end])
        tensors[name] = values
    return tensors


a, b = load(sys.argv[1]), load(sys.argv[2])
if len(sys.argv) > 3:
    a = {k: v for k, v in a.items() if k.startswith(sys.argv[3])}
    b = {k: v for k, v in b.items() if k.startswith(sys.argv[3])}
    if not a:
        sys.exit(f'no tensor starts with {sys.argv[3]}')
if a.keys() != b.keys():
    sys.exit(f'the checkpoints hold different tensors: {sorted(a.keys() ^ b.keys())}')
worst = 0.0
for name in a:
    scale = max(abs(x) for x in a[name]) or 1.0
    worst = max(worst, max(abs(x - y) for x, y in zip(a[name], b[name])) / scale)
print(f'{worst:.3g}')
