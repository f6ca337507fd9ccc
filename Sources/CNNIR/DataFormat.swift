/// How a data folder is laid out on disk. Each case has one reader in CNNData (`DataSources.reader(for:)`);
/// a spec names one with `train.data: {format: …, path: …}`, or leaves it to be detected from the folder.
public enum DataFormat: String, CaseIterable, Hashable, Sendable {
    /// The four IDX files of MNIST and Fashion-MNIST, raw or gzipped; 3-D (grey) or 4-D (colour) images.
    case idx
    /// CIFAR-10 binary: `data_batch_1.bin` … `data_batch_5.bin`, `test_batch.bin`, `batches.meta.txt`.
    case cifar10
    /// CIFAR-100 binary (`train.bin`, `test.bin`) with the 100 fine labels.
    case cifar100
    /// CIFAR-100 binary with the 20 coarse labels (superclasses); never detected, always named.
    case cifar100Coarse = "cifar100-coarse"
    /// NumPy arrays: `train.npz` + `test.npz`, one Keras-style `.npz`, or four `.npy` files.
    case numpy
    /// One folder of image files (PNG, JPEG, PGM, PPM) per class: `DIR/train/<class>/*` and `DIR/test/<class>/*`
    /// (or `val/`), or `DIR/<class>/*` with `train.validation` holding out the test set.
    case imagefolder
}
