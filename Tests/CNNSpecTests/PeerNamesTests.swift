import CNNIR
import Testing
@testable import CNNSpec

/// Keras and PyTorch words get "in cnnc this is …"; near-miss words get "did you mean".
struct PeerNamesTests {
    func error(_ yaml: String) -> SpecError? {
        do {
            _ = try SpecParser.parse(Array(yaml.utf8), file: "peer.yaml")
            return nil
        } catch {
            return error
        }
    }

    @Test(arguments: [("Conv2d: {filters: 8, size: 3}", "in cnnc this is 'conv'"),
                      ("Conv2D: {filters: 8, size: 3}", "in cnnc this is 'conv'"),
                      ("linear: {units: 10}", "in cnnc this is 'dense'"),
                      ("Linear: {units: 10}", "in cnnc this is 'dense'"),
                      ("MaxPool2d: {size: 2}", "in cnnc this is 'maxpool'"),
                      ("BatchNormalization", "in cnnc this is 'batchnorm'"),
                      ("softmax", "softmax belongs to the loss"),
                      ("Softmax", "softmax belongs to the loss")])
    func layerKindsOfThePeers(layer: String, hint: String) throws {
        let e = try #require(error("input: [1, 8, 8]\nlayers:\n  - \(layer)\n"))
        guard case .unknownLayerKind(_, let at) = e else { Issue.record("got \(e)"); return }
        #expect(at.line == 3)
        #expect(e.hint?.contains(hint) == true, "\(e.hint ?? "no hint")")
    }

    @Test(arguments: [("conv: {filters: 8, kernel_size: 3}", "in cnnc this is 'size'"),
                      ("conv: {filters: 8, size: 3, padding: 1}", "in cnnc this is 'pad'"),
                      ("conv: {out_channels: 8, size: 3}", "in cnnc this is 'filters'"),
                      ("conv: {filters: 8, size: 3, in_channels: 1}", "cnnc infers a layer's input channels"),
                      ("dense: {out_features: 10}", "in cnnc this is 'units'"),
                      ("dropout: {p: 0.5}", "in cnnc this is 'rate'"),
                      ("maxpool: {pool_size: 2}", "in cnnc this is 'size'")])
    func keysOfThePeers(layer: String, hint: String) throws {
        let e = try #require(error("input: [1, 8, 8]\nlayers:\n  - \(layer)\n"))
        guard case .unknownKey = e else { Issue.record("got \(e)"); return }
        #expect(e.hint?.contains(hint) == true, "\(e.hint ?? "no hint")")
    }

    @Test func aPeerKeyIsNotSuggestedWhereCnncHasNoSuchKey() throws {
        // `p` is dropout's `rate`; in a conv it is just unknown.
        let e = try #require(error("input: [1, 8, 8]\nlayers:\n  - conv: {filters: 8, size: 3, p: 1}\n"))
        #expect(e.hint?.contains("'rate'") == false)
    }

    @Test(arguments: [("pad: sam", "did you mean 'same'?"), ("pad: vaild", "did you mean 'valid'?")])
    func padWordsGetTheNearest(pad: String, hint: String) throws {
        let e = try #require(error("input: [1, 8, 8]\nlayers:\n  - conv: {filters: 8, size: 3, \(pad)}\n"))
        guard case .unknownWord(_, _, _, _, let at) = e else { Issue.record("got \(e)"); return }
        #expect(at.line == 3 && at.column == 38)
        #expect(e.hint == hint)
    }

    @Test func optimizerNamesGetTheNearest() throws {
        let e = try #require(error("input: [1, 8, 8]\nlayers: [relu]\ntrain:\n  optimizer: {name: adma}\n"))
        guard case .unknownWord = e else { Issue.record("got \(e)"); return }
        #expect(e.hint == "did you mean 'adam'?")
    }

    @Test func inputWrittenAsOnTheCommandLine() throws {
        let networks = try SpecParser.parse(Array("input: 3x32x24\nlayers: [relu]\n".utf8), file: "x.yaml")
        #expect(networks[0].input == Shape(channels: 3, height: 32, width: 24))
        for bad in ["3x32", "3x0x32", "3x32x-1", "3xx32"] {
            #expect(error("input: \(bad)\nlayers: [relu]\n") != nil, "\(bad)")
        }
    }

    @Test func independentLayerErrorsAreAllReportedOnceEach() throws {
        let e = try #require(error("""
            input: [3, 8, 8]
            layers:
              - Conv2D: {filters: 8, size: 3}
              - conv: {filters: 8, kernel_size: 3}
              - relu
              - repeat: {times: 3, layers: [{conv: {filters: 0, size: 3}}]}
              - dense: {units: 10}
            """))
        guard case .several(let errors) = e else { Issue.record("got \(e)"); return }
        // In the order written; the repeated layer's error once, not three times.
        #expect(errors.map(\.location.line) == [3, 4, 6])
        #expect(e.location.line == 3 && e.message.hasSuffix("(and 2 more)"))
        guard case .unknownLayerKind = errors[0], case .unknownKey = errors[1], case .invalidValue = errors[2] else {
            Issue.record("got \(errors)"); return
        }
    }

    @Test func atMostTenErrorsAndOneErrorStaysItself() throws {
        let many = "input: [1, 8, 8]\nlayers:\n" + String(repeating: "  - relu: {bad: 1}\n", count: 30)
        guard case .several(let errors) = try #require(error(many)) else { Issue.record("expected several"); return }
        #expect(errors.count == SpecParser.maximumReportedErrors)
        let one = try #require(error("input: [1, 8, 8]\nlayers:\n  - relu\n  - relu: {bad: 1}\n"))
        guard case .unknownKey = one else { Issue.record("got \(one)"); return }
    }
}
