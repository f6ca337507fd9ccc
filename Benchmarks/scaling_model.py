"""Step-time model of data-parallel training on N machines (docs/scaling.md).

  compute(N)   = (B / N) * t_image                  the global batch B split over N machines
  allreduce(N) = 2 (N-1)/N * bytes / bandwidth      ring allreduce of the gradients (reduce-scatter +
                 + 2 (N-1) * latency                 all-gather), one message per hop and phase
  step(N)      = compute(N) + allreduce(N)          no overlap (cnnc train --bucket-kib 0)
  step'(N)     = compute/3 + max(2 compute/3, allreduce)   buckets started as soon as their layers' backward
                                                    is done: the allreduce hides behind backward (~2/3 of a step)
  efficiency   = compute(1) / (N * step(N))

t_image is the measured training time per image on one machine (2 cores here); bytes = 4 x parameters.
Usage: scaling_model.py [--latency-us 30] NAME PARAMETERS BATCH T_IMAGE_SECONDS ..."""
import argparse

parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
parser.add_argument('--latency-us', type=float, default=30.0, help='per-hop latency (TCP over Ethernet: 20-50 us)')
parser.add_argument('--machines', default='1,2,4,8,16,32,64,128')
parser.add_argument('networks', nargs='+', help='NAME PARAMETERS BATCH T_IMAGE, repeated')
args = parser.parse_args()
machines = [int(n) for n in args.machines.split(',')]
latency = args.latency_us * 1e-6
rows = args.networks
assert len(rows) % 4 == 0, 'give NAME PARAMETERS BATCH T_IMAGE for each network'

for i in range(0, len(rows), 4):
    name, parameters, batch, t_image = rows[i], int(rows[i + 1]), int(rows[i + 2]), float(rows[i + 3])
    gradient_bytes = 4 * parameters
    print(f'\n### {name}: {parameters:,} parameters ({gradient_bytes / 1e6:,.1f} MB of gradients), '
          f'global batch {batch}, {t_image * 1e3:.3g} ms per image on one machine\n')
    print('| machines | compute ms/step | ' + ' | '.join(f'{g} Gb/s: allreduce ms, efficiency (overlapped)' for g in (1, 10, 25)) + ' |')
    print('| --- | --- |' + ' --- |' * 3)
    for n in machines:
        compute = batch / n * t_image
        cells = []
        for gigabits in (1, 10, 25):
            bandwidth = gigabits * 1e9 / 8
            reduce = 0.0 if n == 1 else 2 * (n - 1) / n * gradient_bytes / bandwidth + 2 * (n - 1) * latency
            plain = batch * t_image / (n * (compute + reduce))
            overlapped = batch * t_image / (n * (compute / 3 + max(2 * compute / 3, reduce)))
            cells.append(f'{reduce * 1e3:,.1f} ms, {plain:.0%} ({overlapped:.0%})')
        print(f'| {n} | {compute * 1e3:,.1f} | ' + ' | '.join(cells) + ' |')
    print()
    for gigabits in (1, 10, 25):
        bandwidth = gigabits * 1e9 / 8
        def efficiency(n, overlap):
            compute = batch / n * t_image
            reduce = 0.0 if n == 1 else 2 * (n - 1) / n * gradient_bytes / bandwidth + 2 * (n - 1) * latency
            step = compute / 3 + max(2 * compute / 3, reduce) if overlap else compute + reduce
            return batch * t_image / (n * step)
        plain = max((n for n in range(1, batch + 1) if efficiency(n, False) >= 0.9), default=1)
        overlapped = max((n for n in range(1, batch + 1) if efficiency(n, True) >= 0.9), default=1)
        print(f'- {gigabits} Gb/s: at least 90% efficient up to {plain} machines ({overlapped} with overlapped buckets; at most {batch}, one image each)')
