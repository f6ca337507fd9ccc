"""Usage: idx_subset.py SOURCE DEST N: writes N training images and labels of an IDX data set, evenly
spread over it (mnist-5k is sorted by label, so the first N would hold one or two digits), and its
whole test set to DEST, uncompressed, for short runs."""
import gzip, os, struct, sys
src, dst, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
os.makedirs(dst, exist_ok=True)
def read(name):
    path = os.path.join(src, name)
    return gzip.open(path + '.gz').read() if os.path.exists(path + '.gz') else open(path, 'rb').read()
for kind, keep in (('train', n), ('t10k', None)):
    images, labels = read(f'{kind}-images-idx3-ubyte'), read(f'{kind}-labels-idx1-ubyte')
    count, rows, cols = struct.unpack('>III', images[4:16])
    keep = count if keep is None else keep
    chosen = [i * count // keep for i in range(keep)]
    size = rows * cols
    open(os.path.join(dst, f'{kind}-images-idx3-ubyte'), 'wb').write(
        images[:4] + struct.pack('>III', keep, rows, cols) + b''.join(images[16 + i * size:16 + (i + 1) * size] for i in chosen))
    open(os.path.join(dst, f'{kind}-labels-idx1-ubyte'), 'wb').write(
        labels[:4] + struct.pack('>I', keep) + bytes(labels[8 + i] for i in chosen))
