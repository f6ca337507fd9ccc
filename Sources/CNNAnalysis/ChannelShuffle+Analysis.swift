import CNNIR

extension ChannelShuffle {
    /// channel_shuffle: the input's shape, no parameters, no multiply-adds; C must divide by groups.
    func facts(input: Shape, layer: Layer) throws(ShapeError) -> LayerFacts {
        guard input.channels % groups == 0 else {
            throw .doesNotFit(layer: layer.name, detail: "its \(input.channels) input channels do not divide into \(groups) groups",
                              fix: "use groups that divide \(input.channels) (e.g. the groups of the conv before it)", at: layer.location)
        }
        return LayerFacts(output: input)
    }
}
