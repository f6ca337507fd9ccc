"""Cuts real colour photographs into a small image-folder data set: one class per photograph, 32×32 patches,
training patches from the left two thirds of each photograph and test patches from the right third, written
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
        cut = w * 2 // 3
        for split, count, (x0, x1) in [('train', per_train, (0, cut - 32)), ('test', per_test, (cut, w - 32))]:
            for kind, extension, options in [('png', 'png', {}), ('jpeg', 'jpg', {'quality': 90})]:
                os.makedirs(f'{out}/{kind}/{split}/{name}', exist_ok=True)
            for i in range(count):
                y, x = rng.integers(0, h - 32), rng.integers(x0, x1)
                patch = Image.fromarray(photo[y:y + 32, x:x + 32])
                patch.save(f'{out}/png/{split}/{name}/{i:04d}.png')
                patch.save(f'{out}/jpeg/{split}/{name}/{i:04d}.jpg', quality=90)
print(f'{len(PHOTOS)} classes, {per_train} training and {per_test} test patches each, in {out}/png and {out}/jpeg')
