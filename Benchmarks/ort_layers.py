"""ONNX Runtime's side of `Benchmarks/layers.sh --inference`: the time of every conv node of an exported zoo network's
inference, from ONNX Runtime's own profiler, and the median time of a whole run.

A conv's time is its node's kernel time (ORT fuses the batchnorm, the activation and sometimes the residual add into
the conv, so those are inside it, as the batchnorm and the activation are inside cnnc's conv). Nodes are listed in the
order they run, which is the order of the spec's conv layers (layers_table.py checks it by the multiply-adds of each).
Times are the median over the profiled runs.

usage: python3 ort_layers.py MODEL.onnx --batch N [--threads 2] [--iters 5]   (prints JSON; needs onnxruntime, onnx, numpy)"""
import argparse, json, os, statistics, tempfile, time
import numpy as np, onnx, onnxruntime as ort

ap = argparse.ArgumentParser()
ap.add_argument('model'); ap.add_argument('--batch', type=int, required=True)
ap.add_argument('--threads', type=int, default=2); ap.add_argument('--iters', type=int, default=5)
a = ap.parse_args()


def session(profile_prefix=None):
    options = ort.SessionOptions()
    options.intra_op_num_threads = a.threads
    options.inter_op_num_threads = 1
    if profile_prefix:
        options.enable_profiling = True
        options.profile_file_prefix = profile_prefix
    return ort.InferenceSession(a.model, options, providers=['CPUExecutionProvider'])


# The whole run, unprofiled, as onnxruntime_bench.py times it.
plain = session()
shape = [d if isinstance(d, int) else 1 for d in plain.get_inputs()[0].shape]
x = np.random.default_rng(1).random([a.batch] + shape[1:], dtype=np.float32)
for _ in range(3):
    plain.run(None, {'input': x})
runs = []
for _ in range(a.iters):
    start = time.perf_counter(); plain.run(None, {'input': x}); runs.append((time.perf_counter() - start) * 1e3)

# Every conv node, profiled.
with tempfile.TemporaryDirectory() as directory:
    profiled = session(os.path.join(directory, 'ort'))
    for _ in range(3 + a.iters):
        profiled.run(None, {'input': x})
    events = json.load(open(profiled.end_profiling()))
nodes = [e for e in events if e.get('cat') == 'Node' and e['name'].endswith('_kernel_time')]
nodes.sort(key=lambda e: e['ts'])
per_run = len(nodes) // (3 + a.iters)
timed = [nodes[i * per_run:(i + 1) * per_run] for i in range(3, 3 + a.iters)]


def conv_of(node):
    """Channels in and out, kernel, stride, groups and sizes of a Conv node, from its shapes (NCHW, or NCHWc blocks)."""
    data, weight = node['args']['input_type_shape'][0]['float'], node['args']['input_type_shape'][1]['float']
    output = node['args']['output_type_shape'][0]['float']
    channels = data[1] * (data[4] if len(data) == 5 else 1)
    filters = weight[0]
    return {'in': channels, 'out': filters, 'kernel': weight[2:4], 'stride': [max(1, data[2] // output[2])] * 2,
            'groups': channels // weight[1], 'input_hw': data[2:4], 'output_hw': output[2:4]}


convs = [conv_of(n) for n in timed[0] if n['args']['op_name'] in ('Conv', 'FusedConv')]

# In NCHWc blocks ONNX Runtime pads the channels to a whole block (MobileNetV2's 24 to 32), and its profiler shows the
# padded shapes. Each profiled conv takes the channels of the model's first Conv node not yet taken whose kernel and
# kind (grouped or not) are the same and whose channels pad to the profiled ones.
model = onnx.load(a.model)
weights = {tensor.name: list(tensor.dims) for tensor in model.graph.initializer}
graph_convs = []
for node in model.graph.node:
    if node.op_type == 'Conv':
        weight = weights[node.input[1]]
        groups = next((attribute.i for attribute in node.attribute if attribute.name == 'group'), 1)
        graph_convs.append({'in': weight[1] * groups, 'out': weight[0], 'groups': groups, 'kernel': weight[2:4]})
taken = set()
for conv in convs:
    j = next((j for j, g in enumerate(graph_convs) if j not in taken and g['kernel'] == conv['kernel']
              and (g['groups'] > 1) == (conv['groups'] > 1)
              and g['in'] <= conv['in'] < g['in'] + 16 and g['out'] <= conv['out'] < g['out'] + 16), None)
    if j is not None:
        taken.add(j)
        conv.update({key: graph_convs[j][key] for key in ('in', 'out', 'groups')})
for i, conv in enumerate(convs):
    conv['forward_ms'] = statistics.median(
        [[n['dur'] for n in run if n['args']['op_name'] in ('Conv', 'FusedConv')][i] / 1e3 for run in timed])
print(json.dumps({'onnxruntime': ort.__version__, 'run_ms': statistics.median(runs), 'convs': convs}))
