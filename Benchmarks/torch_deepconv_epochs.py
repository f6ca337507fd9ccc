"""DeepConvNet in PyTorch trained for a number of epochs from a given seed, nothing else: the same
network, init (Kaiming normal, zero biases), Adam(lr=1e-3), batch 100 and per-epoch shuffling as
specs/deepconv.yaml, for comparing test accuracy across seeds with `cnnc train --seed N`
(../shared/peers/torch_deepconv.py also runs 205 benchmark steps before its epochs, and one seed).
usage: python3 torch_deepconv_epochs.py DATA_DIR --seed N [--epochs 10] [--threads 1] [--init W.safetensors]
--init starts from weights in cnnc's names (conv1 … conv6, dense1, logits; e.g. the initial weights of
a cnnc run with the same --seed), to tell the effect of the initial weights from the rest of a run."""
import argparse, gzip
import numpy as np, torch, torch.nn as nn, torch.nn.functional as F


def idx(path):
    blob = gzip.open(path).read()
    dims = [int.from_bytes(blob[4 + 4 * i:8 + 4 * i], 'big') for i in range(blob[3])]
    return np.frombuffer(blob, np.uint8, offset=4 + 4 * len(dims)).reshape(dims)


class DeepConvNet(nn.Module):
    def __init__(self):
        super().__init__()
        conv = lambda i, o, p=1: nn.Conv2d(i, o, 3, padding=p)
        self.convs = nn.ModuleList([conv(1, 16), conv(16, 16), conv(16, 32), conv(32, 32, 2), conv(32, 64), conv(64, 64)])
        self.dense1, self.logits = nn.Linear(64 * 4 * 4, 50), nn.Linear(50, 10)
        for m in self.modules():
            if isinstance(m, (nn.Conv2d, nn.Linear)):
                nn.init.kaiming_normal_(m.weight, nonlinearity='relu')
                nn.init.zeros_(m.bias)

    def forward(self, x):
        for k in range(0, 6, 2):
            x = F.max_pool2d(F.relu(self.convs[k + 1](F.relu(self.convs[k](x)))), 2)
        x = F.dropout(F.relu(self.dense1(x.flatten(1))), 0.5, self.training)
        return F.dropout(self.logits(x), 0.5, self.training)


parser = argparse.ArgumentParser()
parser.add_argument('data')
parser.add_argument('--seed', type=int, required=True)
parser.add_argument('--epochs', type=int, default=10)
parser.add_argument('--threads', type=int, default=1)
parser.add_argument('--init')
args = parser.parse_args()
torch.set_num_threads(args.threads)
torch.manual_seed(args.seed)
load = lambda name: idx(f'{args.data}/{name}-ubyte.gz')
x_train = torch.tensor(load('train-images-idx3'), dtype=torch.float32).unsqueeze(1) / 255
y_train = torch.tensor(load('train-labels-idx1').astype(np.int64))
x_test = torch.tensor(load('t10k-images-idx3'), dtype=torch.float32).unsqueeze(1) / 255
y_test = torch.tensor(load('t10k-labels-idx1').astype(np.int64))
net = DeepConvNet()
if args.init:
    from safetensors.torch import load_file
    weights = load_file(args.init)
    layers = [*(f'conv{k + 1}' for k in range(6)), 'dense1', 'logits']
    modules = [*net.convs, net.dense1, net.logits]
    with torch.no_grad():
        for name, module in zip(layers, modules):
            module.weight.copy_(weights[f'{name}.weight'])
            module.bias.copy_(weights[f'{name}.bias'])
optimizer = torch.optim.Adam(net.parameters(), lr=1e-3)
for epoch in range(args.epochs):
    net.train()
    order = torch.randperm(len(x_train))
    loss_sum = 0.0
    for i in range(0, len(x_train), 100):
        batch = order[i:i + 100]
        optimizer.zero_grad()
        loss = F.cross_entropy(net(x_train[batch]), y_train[batch])
        loss.backward()
        optimizer.step()
        loss_sum += loss.item() * len(batch)
    net.eval()
    with torch.no_grad():
        correct = lambda x, y: sum((net(x[i:i + 1000]).argmax(1) == y[i:i + 1000]).sum().item() for i in range(0, len(x), 1000))
        # As cnnc reports them: the mean training loss (dropout on) and the accuracy on the first 10,000 training images.
        train_acc = correct(x_train[:10000], y_train[:10000]) / min(10000, len(x_train))
        test_acc = correct(x_test, y_test) / len(x_test)
    print(f'seed {args.seed} epoch {epoch + 1} train_loss={loss_sum / len(x_train):.4f} train_acc={train_acc:.4f} test_acc={test_acc:.4f}', flush=True)
