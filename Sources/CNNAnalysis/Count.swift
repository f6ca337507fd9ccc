import CNNIR

/// `CheckedSize` for one layer: an overflow or a limit passed is a `ShapeError.tooLarge` naming the layer.
///
/// `what` names the quantity with the layer's numbers (`"the weight count F·(C/groups)·KH·KW = 8·1·3·3"`),
/// so the message shows where the size came from.
struct Count {
    let layer: Layer

    /// A count (parameters, multiply-adds): any product that fits an `Int`.
    func product(_ factors: Int..., what: @autoclosure () -> String) throws(ShapeError) -> Int {
        guard let value = CheckedSize.product(factors) else { throw tooLarge(what(), limit: Int.max) }
        return value
    }

    func sum(_ terms: Int..., what: @autoclosure () -> String) throws(ShapeError) -> Int {
        guard let value = CheckedSize.sum(terms) else { throw tooLarge(what(), limit: Int.max) }
        return value
    }

    /// A tensor's size or an axis's extent: a product of at most `CheckedSize.maximumElements`.
    func elements(_ factors: Int..., what: @autoclosure () -> String) throws(ShapeError) -> Int {
        try elements(factors, what: what())
    }

    func elements(_ factors: [Int], what: @autoclosure () -> String) throws(ShapeError) -> Int {
        guard let value = CheckedSize.product(factors), value <= CheckedSize.maximumElements else {
            throw tooLarge(what(), limit: CheckedSize.maximumElements)
        }
        return value
    }

    /// An extent that is a sum, such as a padded axis: at most `CheckedSize.maximumElements`.
    func extent(_ terms: Int..., what: @autoclosure () -> String) throws(ShapeError) -> Int {
        guard let value = CheckedSize.sum(terms), value <= CheckedSize.maximumElements else {
            throw tooLarge(what(), limit: CheckedSize.maximumElements)
        }
        return value
    }

    func tooLarge(_ what: String, limit: Int) -> ShapeError {
        .tooLarge(layer: layer.name, what: what, limit: limit, at: layer.location)
    }

    /// `a·b·c` for messages.
    static func formula(_ factors: Int...) -> String { formula(factors) }

    static func formula(_ factors: [Int]) -> String { factors.map(String.init).joined(separator: "·") }
}
