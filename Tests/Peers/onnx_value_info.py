"""An exported model's tensors as ONNX's own shape inference sees them: the graph output is named `logits`,
every layer's tensor has a value_info entry, and each entry equals what onnx.shape_inference infers in strict
mode (which also fails on any conflict); ONNX Runtime runs it on a batch of 2.

usage: python3 onnx_value_info.py MODEL.onnx MIN_VALUE_INFOS   (needs onnx, onnxruntime, numpy)"""
import sys
import numpy as np, onnx, onnxruntime as ort
from onnx import shape_inference

path, minimum = sys.argv[1], int(sys.argv[2])
model = onnx.load(path)
onnx.checker.check_model(model, full_check=True)
inferred = shape_inference.infer_shapes(model, strict_mode=True)
dims = lambda v: [d.dim_value or d.dim_param for d in v.type.tensor_type.shape.dim]
ours = {v.name: dims(v) for v in model.graph.value_info}
theirs = {v.name: dims(v) for v in inferred.graph.value_info}
wrong = [(name, shape, theirs.get(name)) for name, shape in ours.items() if theirs.get(name) != shape]
output = model.graph.output[0].name
session = ort.InferenceSession(path, providers=['CPUExecutionProvider'])
x = np.random.default_rng(1).random((2, *dims(model.graph.input[0])[1:]), dtype=np.float32)
logits = session.run(None, {'input': x})[0]
print(f'{path}: output {output!r} {list(logits.shape)}, {len(ours)} value_info entries, {len(wrong)} differ from shape inference')
for entry in wrong[:5]:
    print('  differs:', entry)
sys.exit(0 if output == 'logits' and len(ours) >= minimum and not wrong and np.isfinite(logits).all() else 1)
