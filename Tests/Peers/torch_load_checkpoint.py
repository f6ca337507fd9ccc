"""Loads a cnnc DeepConvNet checkpoint into a PyTorch module with the same layer names and checks
that PyTorch's test accuracy equals cnnc's. Shows that the safetensors names and layouts are PyTorch's.
usage: python3 torch_load_checkpoint.py CHECKPOINT DATA_DIR   (needs torch and safetensors)"""
import gzip, sys
import numpy as np, torch, torch.nn as nn, torch.nn.functional as F
from safetensors.torch import load_file

def idx(path):
    b = gzip.open(path).read()
    nd = b[3]; dims = [int.from_bytes(b[4 + 4 * i:8 + 4 * i], 'big') for i in range(nd)]
    return np.frombuffer(b, np.uint8, offset=4 + 4 * nd).reshape(dims)

class DeepConvNet(nn.Module):  # specs/deepconv.yaml, with cnnc's default layer names
    def __init__(s):
        super().__init__()
        c = lambda i, o, p=1: nn.Conv2d(i, o, 3, padding=p)
        s.conv1, s.conv2, s.conv3, s.conv4, s.conv5, s.conv6 = c(1, 16), c(16, 16), c(16, 32), c(32, 32, 2), c(32, 64), c(64, 64)
        s.dense1, s.logits = nn.Linear(64 * 4 * 4, 50), nn.Linear(50, 10)
    def forward(s, x):
        x = F.max_pool2d(F.relu(s.conv2(F.relu(s.conv1(x)))), 2)
        x = F.max_pool2d(F.relu(s.conv4(F.relu(s.conv3(x)))), 2)
        x = F.max_pool2d(F.relu(s.conv6(F.relu(s.conv5(x)))), 2)
        return s.logits(F.relu(s.dense1(x.flatten(1))))

net = DeepConvNet()
net.load_state_dict(load_file(sys.argv[1]))  # strict: every name and shape must match
net.eval()
x = torch.tensor(idx(f'{sys.argv[2]}/t10k-images-idx3-ubyte.gz'), dtype=torch.float32).unsqueeze(1) / 255
y = torch.tensor(idx(f'{sys.argv[2]}/t10k-labels-idx1-ubyte.gz').astype(np.int64))
with torch.no_grad():
    accuracy = (net(x).argmax(1) == y).float().mean().item()
print(f'pytorch accuracy {accuracy:.4f}')
