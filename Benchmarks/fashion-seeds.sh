#!/usr/bin/env bash
# DeepConvNet on Fashion-MNIST, 10 epochs, over several seeds in cnnc and in PyTorch with the same
# recipe (Benchmarks/torch_deepconv_epochs.py), one thread each, the two side by side on two cores.
# Prints every run's final test accuracy, and per framework the mean, the standard deviation and how
# many runs reach 91%. About 6 minutes per cnnc run and 10 per PyTorch run on this machine.
#
# usage: bash Benchmarks/fashion-seeds.sh [FIRST_SEED [LAST_SEED [OUT_DIR]]]   (default seeds 1..8, /tmp/fashion-seeds)
set -euo pipefail
cd "$(dirname "$0")/.."
first=${1:-1}; last=${2:-8}; out=${3:-/tmp/fashion-seeds}
data=${FASHION_DIR:-/usr/share/datasets/fashion-mnist}
[ -f "$data/train-images-idx3-ubyte.gz" ] || { echo "no Fashion-MNIST in $data: apt-get install -y dataset-fashion-mnist" >&2; exit 1; }
swift build -c release > /dev/null
mkdir -p "$out"
(for seed in $(seq "$first" "$last"); do
    .build/release/cnnc train specs/deepconv.yaml --data "$data" --epochs 10 --seed "$seed" --threads 1 --out "$out/cnnc-s$seed" > "$out/cnnc-s$seed.log"
done) &
(for seed in $(seq "$first" "$last"); do
    OMP_NUM_THREADS=1 /usr/bin/python3 Benchmarks/torch_deepconv_epochs.py "$data" --seed "$seed" --threads 1 > "$out/torch-s$seed.log"
done) &
wait
python3 - "$out" <<'PY'
import glob, re, statistics, sys
out = sys.argv[1]
def last(path, pattern):
    found = re.findall(pattern, open(path).read())
    return float(found[-1]) if found else None
runs = {'cnnc': [last(p, r'final test accuracy ([\d.]+)%') for p in sorted(glob.glob(f'{out}/cnnc-s*.log'))],
        'pytorch': [100 * last(p, r'test_acc=([\d.]+)') for p in sorted(glob.glob(f'{out}/torch-s*.log'))]}
for name, values in runs.items():
    values = [v for v in values if v is not None]
    print(f'{name:8s} ' + ' '.join(f'{v:.2f}' for v in values))
    print(f'{"":8s} mean {statistics.mean(values):.2f}%  sd {statistics.stdev(values):.2f}  at least 91%: {sum(v >= 91 for v in values)} of {len(values)}')
PY
