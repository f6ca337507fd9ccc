/// How images of another size are brought to the network's input size (`train.resize`).
public struct ImageResize: Hashable, Sendable {
    public enum Mode: String, Hashable, Sendable, CaseIterable {
        /// Scale each axis to the input's size; the aspect ratio may change.
        case stretch
        /// Scale both axes by one factor so the image covers the input (the shorter side, relative to the
        /// input's, becomes the input's), then cut the centre out; torchvision's `Resize` then `CenterCrop`.
        case shorterSideThenCenterCrop = "shorter-side-then-center-crop"
    }

    public enum Filter: String, Hashable, Sendable, CaseIterable {
        /// Two taps per axis at half-pixel centres, edges clamped (OpenCV's INTER_LINEAR, no antialiasing).
        case bilinear
        /// The mean of the source area under each output pixel, partial pixels weighted by their overlap
        /// (OpenCV's INTER_AREA, Pillow's BOX): the filter for shrinking.
        case area
    }

    public var mode: Mode
    public var filter: Filter

    public init(mode: Mode = .stretch, filter: Filter = .bilinear) {
        self.mode = mode
        self.filter = filter
    }
}
