"""An exported model checked by the real ONNX tools: onnx.checker (full check, with shape inference)
passes, and ONNX Runtime's logits on the first N test images equal cnnc's to 1e-4 absolute with the
same predicted class for every image (except ties: where cnnc's two largest logits are closer than twice
the largest difference, rounding decides the class in either implementation). With --yardstick, to 1e-4 or to twice ONNX Runtime's own
difference between its optimised and unoptimised graphs, whichever is larger: a deep network (ResNet-50
from its initial weights, whose residual sums grow block by block) carries float32 rounding of 2e-4 in
its logits in any implementation, ONNX Runtime's two runs included.

usage: python3 onnx_check.py MODEL.onnx CNNC_LOGITS.csv DATA_DIR [N] [--yardstick]   (needs onnx, onnxruntime, numpy)
The test images are DATA_DIR/t10k-images-idx3-ubyte (greyscale, 3-D) or -idx4-ubyte (4-D, channels first)."""
import gzip, os, sys
import numpy as np, onnx, onnxruntime as ort

arguments = [a for a in sys.argv[1:] if a != '--yardstick']
yardstick = '--yardstick' in sys.argv
model_path, logits_path, data = arguments[:3]
n = int(arguments[3]) if len(arguments) > 3 else 1000

def idx(name):
    path = os.path.join(data, name)
    raw = gzip.open(path + '.gz').read() if os.path.exists(path + '.gz') else open(path, 'rb').read()
    dims = [int.from_bytes(raw[4 + 4 * i:8 + 4 * i], 'big') for i in range(raw[3])]
    return np.frombuffer(raw, np.uint8, offset=4 + 4 * len(dims)).reshape(dims)

model = onnx.load(model_path)
onnx.checker.check_model(model, full_check=True)
print(f'onnx.checker: ok (opset {model.opset_import[0].version}, {len(model.graph.node)} nodes, '
      f'{len(model.graph.initializer)} initializers)')

stem = 't10k-images-idx4-ubyte' if any(os.path.exists(os.path.join(data, 't10k-images-idx4-ubyte' + e)) for e in ('', '.gz')) \
    else 't10k-images-idx3-ubyte'
images = idx(stem)[:n].astype(np.float32)
if images.ndim == 3:
    images = images[:, None, :, :]
images /= 255
n = len(images)
options = ort.SessionOptions()
options.intra_op_num_threads = 2
session = ort.InferenceSession(model_path, options, providers=['CPUExecutionProvider'])
theirs = session.run(None, {'input': images})[0].reshape(n, -1)
ours = np.loadtxt(logits_path, delimiter=',', dtype=np.float64).reshape(n, -1)
diff = np.abs(theirs - ours).max()
# Where cnnc's two largest logits are closer than twice the largest difference, either class is within rounding
# of both implementations (a tie); every other image must get the same class.
top2 = np.sort(ours, axis=1)[:, -2:]
decided = (top2[:, 1] - top2[:, 0]) > 2 * diff
agree = int(((theirs.argmax(1) == ours.argmax(1)) | ~decided).sum())
ties = int((~decided).sum())
tolerance = 1e-4
if yardstick:
    plain = ort.SessionOptions()
    plain.graph_optimization_level = ort.GraphOptimizationLevel.ORT_DISABLE_ALL
    unoptimised = ort.InferenceSession(model_path, plain, providers=['CPUExecutionProvider']).run(None, {'input': images})[0]
    own = float(np.abs(theirs - unoptimised.reshape(n, -1)).max())
    print(f'ONNX Runtime optimised against unoptimised: max |logit difference| {own:.2e}')
    tolerance = max(tolerance, 2 * own)
print(f'ONNX Runtime {ort.__version__} against cnnc on {n} images: max |logit difference| {diff:.2e} '
      f'(allowed {tolerance:.1e}), same class for {agree}/{n}' + (f' ({ties} tied within twice that difference)' if ties else ''))
sys.exit(0 if diff <= tolerance and agree == n else 1)
