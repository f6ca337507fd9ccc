"""Cuts real colour photographs into a small image-folder data set: one class per photograph, 32×32 patches,
training patches from the even vertical bands (64 pixels wide) of each photograph and test patches from the odd
bands, so that the two splits never share a pixel yet sample the same scenes; written
twice, as PNG and as JPEG (quality 90, Pillow), in the torchvision ImageFolder layout:

    OUT/png/train/<class>/0000.png …   OUT/png/test/<class>/…   OUT/jpeg/train/<class>/0000.jpg …

The photographs are scikit-image's sample images, read from its PyPI wheel (a zip file; nothing is installed).

usage: python3 photo_patches.py WHEEL OUT [TRAIN_PER_CLASS [TEST_PER_CLASS]]   (needs numpy, Pillow)"""
import io, os, sys, zipfile
import numpy as np
from PIL import Image

PHOTOS = {'astronaut': 'astronaut.png', 'cat': 'chelsea.png', 'coffee': 'coffee.png', 'motorcycle': 'motorcycle_left.png'}
wheel, out = sys.argv[1:3]
per_train = int(sys.argv[3]) if len(sys.argv) > 3 else 150
per_test = int(sys.argv[4]) if len(sys.argv) > 4 else 50
rng = np.random.default_rng(1)
with zipfile.ZipFile(wheel) as z:
    for name, file in PHOTOS.items():
        photo = np.asarray(Image.open(io.BytesIO(z.read(f'skimage/data/{file}'))).convert('RGB'))
        h, w, _ = photo.shape
        bands = [b for b in range(0, w - 63, 64)]
        for split, count, parity in [('train', per_train, 0), ('test', per_test, 1)]:
            for kind in ['png', 'jpeg']:
                os.makedirs(f'{out}/{kind}/{split}/{name}', exist_ok=True)
            mine = bands[parity::2]
            for i in range(count):
                y, x = rng.integers(0, h - 32), mine[rng.integers(0, len(mine))] + rng.integers(0, 33)
                patch = Image.fromarray(photo[y:y + 32, x:x + 32])
                patch.save(f'{out}/png/{split}/{name}/{i:04d}.png')
                patch.save(f'{out}/jpeg/{split}/{name}/{i:04d}.jpg', quality=90)
print(f'{len(PHOTOS)} classes, {per_train} training and {per_test} test patches each, in {out}/png and {out}/jpeg')
