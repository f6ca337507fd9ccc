"""Usage: /usr/bin/python3 Tests/Peers/jpeg_fixtures.py [DIR]: writes the JPEG fixtures of
Tests/CNNDataTests/Fixtures (the default DIR) and Pillow's decoding of each as a binary PPM/PGM beside it.
ImageReaderTests decodes each JPEG with TurboJPEG and checks it against Pillow's pixels to ±1 per sample.

The images are synthetic but photograph-like (smooth gradients, a sharp edge, fine texture, noise), so the
DCT, the chroma upsampling and the colour conversion are all exercised: 4:2:0 baseline (what cameras and
Pillow write by default), 4:4:4 progressive, and greyscale. Re-run it after upgrading Pillow or
libjpeg-turbo; the outputs are deterministic (fixed seed)."""
import os, sys
import numpy as np
from PIL import Image

out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), '..', 'CNNDataTests', 'Fixtures')
os.makedirs(out, exist_ok=True)
rng = np.random.default_rng(15)
h, w = 37, 53  # odd sizes: partial MCUs at the right and bottom edges
y, x = np.mgrid[0:h, 0:w].astype(np.float64)
r = 255 * x / (w - 1)
g = 128 + 100 * np.sin(x / 3.0) * np.cos(y / 4.0)
b = np.where(x + y > 45, 220.0, 30.0)  # a diagonal edge
rgb = np.stack([r, g, b], axis=-1) + rng.normal(0, 8, (h, w, 3))
rgb = np.clip(rgb, 0, 255).astype(np.uint8)
image = Image.fromarray(rgb, 'RGB')

for name, picture, options in [
    ('photo-420', image, dict(quality=75)),
    ('photo-444-progressive', image, dict(quality=90, subsampling=0, progressive=True)),
    ('photo-grey', image.convert('L'), dict(quality=80)),
]:
    jpeg = os.path.join(out, name + '.jpg')
    picture.save(jpeg, 'JPEG', **options)
    decoded = Image.open(jpeg)
    decoded.load()
    decoded.save(os.path.join(out, name + ('.pgm' if decoded.mode == 'L' else '.ppm')))
    print(jpeg, decoded.mode, decoded.size)
