"""Usage: idx_subset.py SOURCE DEST N: writes N training images and labels of an IDX data set, evenly
spread over it (mnist-5k is sorted by label, so the first N would hold one or two digits), and its
whole test set to DEST, uncompressed, for short runs. `write_subset` is also used by Tests/Peers.
idx_subset.py SOURCE DEST --below K: the training and test images whose label is below K (digits 0-4 for
K = 5), for the fine-tuning example."""
import gzip, os, struct, sys


def read_bytes(path):
    """An IDX file's bytes, from PATH.gz if it exists, else PATH (a path ending in .gz is read as is)."""
    if path.endswith('.gz'):
        return gzip.open(path).read()
    return gzip.open(path + '.gz').read() if os.path.exists(path + '.gz') else open(path, 'rb').read()


def spread(total, count):
    """`count` indices evenly spread over `total`."""
    return [i * total // count for i in range(count)]


def write_subset(source, target, picks):
    """Writes the images and labels at the indices picks[kind] (kind: train, t10k; None: all of them)
    of the data set in `source` as uncompressed IDX files in `target`."""
    os.makedirs(target, exist_ok=True)
    for kind, chosen in picks.items():
        images = read_bytes(os.path.join(source, f'{kind}-images-idx3-ubyte'))
        labels = read_bytes(os.path.join(source, f'{kind}-labels-idx1-ubyte'))
        count, rows, cols = struct.unpack('>III', images[4:16])
        chosen = range(count) if chosen is None else list(chosen)
        size = rows * cols
        with open(os.path.join(target, f'{kind}-images-idx3-ubyte'), 'wb') as f:
            f.write(images[:4] + struct.pack('>III', len(chosen), rows, cols)
                    + b''.join(images[16 + i * size:16 + (i + 1) * size] for i in chosen))
        with open(os.path.join(target, f'{kind}-labels-idx1-ubyte'), 'wb') as f:
            f.write(labels[:4] + struct.pack('>I', len(chosen)) + bytes(labels[8 + i] for i in chosen))


def count(source, kind):
    return struct.unpack('>I', read_bytes(os.path.join(source, f'{kind}-labels-idx1-ubyte'))[4:8])[0]


def below(source, kind, k):
    labels = read_bytes(os.path.join(source, f'{kind}-labels-idx1-ubyte'))
    return [i for i in range(count(source, kind)) if labels[8 + i] < k]


if __name__ == '__main__':
    if sys.argv[3] == '--below':
        src, dst, k = sys.argv[1], sys.argv[2], int(sys.argv[4])
        write_subset(src, dst, {kind: below(src, kind, k) for kind in ('train', 't10k')})
        sys.exit(0)
    src, dst, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
    write_subset(src, dst, {'train': spread(count(src, 'train'), n), 't10k': None})
