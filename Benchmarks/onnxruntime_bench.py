"""ONNX Runtime inference of an exported model: images/s at batch 1, 100 and 1,000 (or --batches; median of timed
runs after a warm-up), random inputs like `cnnc bench`.

usage: python3 onnxruntime_bench.py MODEL.onnx [--threads 2] [--iters 50] [--batches 1 100 1000]   (needs onnxruntime, numpy)"""
import argparse, time
import numpy as np, onnxruntime as ort

ap = argparse.ArgumentParser()
ap.add_argument('model'); ap.add_argument('--threads', type=int, default=2); ap.add_argument('--iters', type=int, default=50)
ap.add_argument('--batches', type=int, nargs='+', default=[1, 100, 1000])
a = ap.parse_args()
options = ort.SessionOptions()
options.intra_op_num_threads = a.threads
options.inter_op_num_threads = 1
session = ort.InferenceSession(a.model, options, providers=['CPUExecutionProvider'])
shape = [d if isinstance(d, int) else 1 for d in session.get_inputs()[0].shape]
for batch in a.batches:
    x = np.random.default_rng(1).random([batch] + shape[1:], dtype=np.float32)
    for _ in range(3): session.run(None, {'input': x})
    iters = max(3, a.iters if batch < 1000 else a.iters // 10)
    times = []
    for _ in range(iters):
        t = time.perf_counter(); session.run(None, {'input': x}); times.append(time.perf_counter() - t)
    print(f'onnxruntime {ort.__version__} threads={a.threads} batch={batch} infer_images_per_s={batch / np.median(times):.2f}')
