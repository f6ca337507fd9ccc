import CNNIR

extension ChannelSlice {
    /// slice: channels from ..< to of the input, height and width unchanged; no parameters, no multiply-adds.
    /// The parser checked 0 ≤ from < to; here to ≤ C.
    func facts(input: Shape, layer: Layer) throws(ShapeError) -> LayerFacts {
        guard to <= input.channels else {
            throw .doesNotFit(layer: layer.name, detail: "channels [\(from), \(to)] reach past the input's \(input.channels) channels",
                              fix: "keep 0 ≤ from < to ≤ \(input.channels) (the channels are from ..< to, counted from 0)", at: layer.location)
        }
        return LayerFacts(output: Shape(channels: channels, height: input.height, width: input.width))
    }
}
