"""An exported model checked by the real ONNX tools: onnx.checker (full check, with shape inference)
passes, and ONNX Runtime's logits on the first N test images equal cnnc's to 1e-4 absolute with the
same predicted class for every image.

usage: python3 onnx_check.py MODEL.onnx CNNC_LOGITS.csv DATA_DIR [N]   (needs onnx, onnxruntime, numpy)"""
import gzip, os, sys
import numpy as np, onnx, onnxruntime as ort

model_path, logits_path, data = sys.argv[1:4]
n = int(sys.argv[4]) if len(sys.argv) > 4 else 1000

def idx(name):
    path = os.path.join(data, name)
    raw = gzip.open(path + '.gz').read() if os.path.exists(path + '.gz') else open(path, 'rb').read()
    dims = [int.from_bytes(raw[4 + 4 * i:8 + 4 * i], 'big') for i in range(raw[3])]
    return np.frombuffer(raw, np.uint8, offset=4 + 4 * len(dims)).reshape(dims)

model = onnx.load(model_path)
onnx.checker.check_model(model, full_check=True)
print(f'onnx.checker: ok (opset {model.opset_import[0].version}, {len(model.graph.node)} nodes, '
      f'{len(model.graph.initializer)} initializers)')

images = idx('t10k-images-idx3-ubyte')[:n].astype(np.float32)[:, None, :, :] / 255
options = ort.SessionOptions()
options.intra_op_num_threads = 2
session = ort.InferenceSession(model_path, options, providers=['CPUExecutionProvider'])
theirs = session.run(None, {'input': images})[0].reshape(n, -1)
ours = np.loadtxt(logits_path, delimiter=',', dtype=np.float64).reshape(n, -1)
diff = np.abs(theirs - ours).max()
agree = int((theirs.argmax(1) == ours.argmax(1)).sum())
print(f'ONNX Runtime {ort.__version__} against cnnc on {n} images: max |logit difference| {diff:.2e}, '
      f'same class for {agree}/{n}')
sys.exit(0 if diff <= 1e-4 and agree == n else 1)
