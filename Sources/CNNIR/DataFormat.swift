/// How a data folder is laid out on disk. Each case has one reader in CNNData (`DataSources.reader(for:)`);
/// a spec names one with `train.data: {format: …, path: …}`, or leaves it to be detected from the folder.
public enum DataFormat: String, CaseIterable, Hashable, Sendable {
    /// The four IDX files of MNIST and Fashion-MNIST, raw or gzipped; 3-D (grey) or 4-D (colour) images.
    case idx
    /// One folder of image files (PNG, JPEG, PGM, PPM) per class: `DIR/train/<class>/*` and `DIR/test/<class>/*`
    /// (or `val/`), or `DIR/<class>/*` with `train.validation` holding out the test set.
    case imagefolder
}
