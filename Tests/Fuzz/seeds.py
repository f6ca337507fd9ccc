"""Usage: seeds.py CORPUS MNIST_DIR: writes the seed inputs of each fuzz target into CORPUS/<target>/:
every spec of specs/ (spec), a valid checkpoint of the fuzz targets' small network (safetensors), IDX
files cut from MNIST, raw and gzipped (idx), small PNG, PGM/PPM and JPEG images (png, pgm, jpeg), NumPy arrays
(npy) and archives, stored and deflated (npz), and CIFAR records (cifar)."""
import glob, gzip, io, json, os, struct, sys, zipfile, zlib

corpus, mnist = sys.argv[1], sys.argv[2]


def put(target, name, data):
    os.makedirs(os.path.join(corpus, target), exist_ok=True)
    with open(os.path.join(corpus, target, name), 'wb') as f:
        f.write(data)


for path in glob.glob('specs/*.yaml') + glob.glob('specs/zoo/*.yaml'):
    put('spec', os.path.basename(path), open(path, 'rb').read())

# The fuzz network: conv1 4×1×3×3, bn1 (4 channels), head dense 3 × (4·6·6).
shapes = {'conv1.weight': [4, 1, 3, 3], 'conv1.bias': [4], 'bn1.weight': [4], 'bn1.bias': [4],
          'bn1.running_mean': [4], 'bn1.running_var': [4], 'head.weight': [3, 144], 'head.bias': [3]}
header, body = {'__metadata__': {'format': 'cnnc-1'}}, b''
for name, shape in shapes.items():
    count = 1
    for d in shape:
        count *= d
    header[name] = {'dtype': 'F32', 'shape': shape, 'data_offsets': [len(body), len(body) + 4 * count]}
    body += struct.pack('<%df' % count, *([0.5] * count))
text = json.dumps(header).encode()
text += b' ' * (-len(text) % 8)
put('safetensors', 'fuzz-net.safetensors', struct.pack('<Q', len(text)) + text + body)

images = gzip.open(os.path.join(mnist, 't10k-images-idx3-ubyte.gz')).read()
labels = gzip.open(os.path.join(mnist, 't10k-labels-idx1-ubyte.gz')).read()
few = images[:4] + struct.pack('>III', 3, 28, 28) + images[16:16 + 3 * 784]
put('idx', 'images3.idx', few)
put('idx', 'images3.idx.gz', gzip.compress(few))
put('idx', 'labels3.idx', labels[:4] + struct.pack('>I', 3) + labels[8:11])


def png(width, height, colour, depth, rows):
    def chunk(kind, data):
        return struct.pack('>I', len(data)) + kind + data + struct.pack('>I', zlib.crc32(kind + data) & 0xffffffff)
    return (b'\x89PNG\r\n\x1a\n' + chunk(b'IHDR', struct.pack('>IIBBBBB', width, height, depth, colour, 0, 0, 0))
            + chunk(b'IDAT', zlib.compress(rows)) + chunk(b'IEND', b''))


digit = images[16:16 + 784]
put('png', 'grey.png', png(28, 28, 0, 8, b''.join(b'\x00' + digit[r * 28:(r + 1) * 28] for r in range(28))))
put('png', 'rgb.png', png(4, 3, 2, 8, b''.join(b'\x00' + bytes(range(r * 12, r * 12 + 12)) for r in range(3))))
put('pgm', 'digit.pgm', b'P5\n28 28\n255\n' + digit)
put('pgm', 'ascii.pgm', b'P2\n# a comment\n3 2\n15\n0 5 10\n15 3 1\n')


def npy(descr, shape, body, version=1):
    """A .npy as numpy.save writes it (the header padded to a multiple of 64 bytes)."""
    text = "{'descr': '%s', 'fortran_order': False, 'shape': (%s), }" % (descr, ''.join(f'{d}, ' for d in shape).rstrip(' ') if len(shape) == 1 else ', '.join(map(str, shape)))
    prefix = 10 if version == 1 else 12
    text += ' ' * (-(prefix + len(text) + 1) % 64) + '\n'
    length = struct.pack('<H', len(text)) if version == 1 else struct.pack('<I', len(text))
    return b'\x93NUMPY' + bytes([version, 0]) + length + text.encode() + body


x = npy('|u1', [2, 28, 28], images[16:16 + 2 * 784])
y = npy('<i8', [2], struct.pack('<2q', labels[8], labels[9]))
put('npy', 'images.npy', x)
put('npy', 'labels.npy', y)
put('npy', 'rgb-v2.npy', npy('|u1', [1, 2, 2, 3], bytes(range(12)), version=2))
put('npy', 'labels-be.npy', npy('>u2', [3], struct.pack('>3H', 1, 2, 3), version=3))
for name, method in [('stored.npz', zipfile.ZIP_STORED), ('deflated.npz', zipfile.ZIP_DEFLATED)]:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, 'w', method) as archive:
        for member, data in [('x_train.npy', x), ('y_train.npy', y)]:
            archive.writestr(member, data)
    put('npz', name, buffer.getvalue())
put('cifar', 'cifar10.bin', bytes([3]) + images[16:16 + 3072] + bytes([7]) + images[16 + 3072:16 + 6144])
put('cifar', 'cifar100.bin', bytes([4, 44]) + images[16:16 + 3072])
put('pgm', 'colour.ppm', b'P6\n2 2\n255\n' + bytes(range(0, 240, 20)))
put('pgm', 'ascii.ppm', b'P3\n2 1\n15\n0 5 10 15 3 1\n')
try:  # JPEG seeds through Pillow (python3-pil), when it is installed
    from PIL import Image
    for mode, name in (('L', 'grey.jpg'), ('RGB', 'rgb.jpg')):
        buffer = io.BytesIO()
        Image.frombytes('L', (28, 28), digit).convert(mode).save(buffer, 'JPEG', quality=90)
        put('jpeg', name, buffer.getvalue())
except ImportError:
    pass
