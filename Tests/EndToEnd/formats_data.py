"""Usage: formats_data.py FASHION_DIR WORK TRAIN TEST: writes the same Fashion-MNIST images (TRAIN training
images evenly spread over the set, the first TEST test images) in each layout cnnc reads, with numpy as the
writer (the peer): WORK/idx (IDX), WORK/keras/fashion.npz (savez_compressed, Keras' x_train ... y_test),
WORK/split/{train,test}.npz (savez, x and y; labels int32), WORK/npy (four .npy, labels uint8), and as colour
3x32x32 images (each 28x28 image padded by 2 zero pixels and copied to R, G and B): WORK/cifar10 (CIFAR-10
binary, 5 training batches and batches.meta.txt), WORK/rgb (one .npz, N x 32 x 32 x 3) and WORK/cifar100
(CIFAR-100 binary: coarse label = the Fashion label, fine label = 10 + the label)."""
import gzip, os, sys
import numpy as np

NAMES = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"]


def idx(path):
    data = gzip.open(path).read()
    dims = data[3]
    shape = [int.from_bytes(data[4 + 4 * i:8 + 4 * i], 'big') for i in range(dims)]
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * dims).reshape(shape)


def main(source, work, n_train, n_test):
    x_train, y_train = idx(f'{source}/train-images-idx3-ubyte.gz'), idx(f'{source}/train-labels-idx1-ubyte.gz')
    x_test, y_test = idx(f'{source}/t10k-images-idx3-ubyte.gz'), idx(f'{source}/t10k-labels-idx1-ubyte.gz')
    pick = [i * len(x_train) // n_train for i in range(n_train)]
    x_train, y_train, x_test, y_test = x_train[pick], y_train[pick], x_test[:n_test], y_test[:n_test]

    os.makedirs(f'{work}/idx', exist_ok=True)
    for kind, x, y in [('train', x_train, y_train), ('t10k', x_test, y_test)]:
        with open(f'{work}/idx/{kind}-images-idx3-ubyte', 'wb') as f:
            f.write(bytes([0, 0, 8, 3]) + b''.join(d.to_bytes(4, 'big') for d in x.shape) + x.tobytes())
        with open(f'{work}/idx/{kind}-labels-idx1-ubyte', 'wb') as f:
            f.write(bytes([0, 0, 8, 1]) + len(y).to_bytes(4, 'big') + y.tobytes())
    for d in ['keras', 'split', 'npy', 'cifar10', 'rgb', 'cifar100']:
        os.makedirs(f'{work}/{d}', exist_ok=True)
    np.savez_compressed(f'{work}/keras/fashion.npz', x_train=x_train, y_train=y_train.astype(np.int64),
                        x_test=x_test, y_test=y_test.astype(np.int64))
    np.savez(f'{work}/split/train.npz', x=x_train, y=y_train.astype(np.int32))
    np.savez(f'{work}/split/test.npz', x=x_test, y=y_test.astype(np.int32))
    for name, array in [('x_train', x_train), ('y_train', y_train), ('x_test', x_test), ('y_test', y_test)]:
        np.save(f'{work}/npy/{name}.npy', array)
    with open(f'{work}/keras/class_names.txt', 'w') as f:
        f.write('\n'.join(NAMES) + '\n')

    def rgb(x):  # N x 28 x 28 -> N x 32 x 32 x 3
        padded = np.pad(x, ((0, 0), (2, 2), (2, 2)))
        return np.repeat(padded[:, :, :, None], 3, axis=3)

    def records(x, labels):  # CIFAR records: label byte(s), then the R, G, B planes
        planes = rgb(x).transpose(0, 3, 1, 2).reshape(len(x), 3072)
        return np.concatenate([np.stack(labels, axis=1).astype(np.uint8), planes], axis=1).tobytes()

    batches = np.array_split(np.arange(n_train), 5)
    for b, chosen in enumerate(batches):
        with open(f'{work}/cifar10/data_batch_{b + 1}.bin', 'wb') as f:
            f.write(records(x_train[chosen], [y_train[chosen]]))
    with open(f'{work}/cifar10/test_batch.bin', 'wb') as f:
        f.write(records(x_test, [y_test]))
    with open(f'{work}/cifar10/batches.meta.txt', 'w') as f:
        f.write('\n'.join(NAMES) + '\n\n')
    np.savez(f'{work}/rgb/cifar.npz', x_train=rgb(x_train), y_train=y_train, x_test=rgb(x_test), y_test=y_test)
    with open(f'{work}/cifar100/train.bin', 'wb') as f:
        f.write(records(x_train, [y_train, y_train + 10]))
    with open(f'{work}/cifar100/test.bin', 'wb') as f:
        f.write(records(x_test, [y_test, y_test + 10]))
    with open(f'{work}/cifar100/coarse_label_names.txt', 'w') as f:
        f.write('\n'.join(NAMES + [f'superclass {i}' for i in range(10, 20)]) + '\n')


if __name__ == '__main__':
    main(sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]))
