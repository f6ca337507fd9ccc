import CNNIR
import Testing
@testable import CNNSpec

/// Optimizer and schedule keys are checked per name: a key another optimizer or schedule reads is
/// an error at that key, naming who reads it; layer kinds alike.
struct VariantKeyTests {
    func error(_ train: String) -> SpecError? {
        do {
            _ = try SpecParser.parse("input: [1, 4, 4]\nlayers: [relu]\ntrain: \(train)\n", file: "bad.yaml")
            return nil
        } catch {
            return error
        }
    }

    @Test func adamKeyForSGD() throws {
        let e = try #require(error("{optimizer: {name: sgd, beta1: 0.5}}"))
        #expect(e == .keyOfAnother(key: "beta1", section: "optimizer 'sgd'", owners: ["adam", "adamw"], allowed: ["name", "lr", "weight_decay"],
                                   at: SourceLocation(file: "bad.yaml", line: 3, column: 32)))
        #expect(e.message == "'beta1' is not a key of optimizer 'sgd'; it belongs to adam and adamw")
        #expect(e.hint == "keys of optimizer 'sgd': name, lr, weight_decay")
    }

    @Test func keyOfSeveralOptimizers() throws {
        let e = try #require(error("{optimizer: {name: adam, momentum: 0.9}}"))
        #expect(e.message == "'momentum' is not a key of optimizer 'adam'; it belongs to momentum and nesterov")
        let eps = try #require(error("{optimizer: {name: sgd, lr: 0.1, eps: 1.0e-6}}"))
        #expect(eps.message == "'eps' is not a key of optimizer 'sgd'; it belongs to adagrad, rmsprop, adam and adamw")
    }

    /// The key's name may come after it: the error still points at the key.
    @Test func nameAfterTheKey() throws {
        let e = try #require(error("{optimizer: {rho: 0.9, name: adam}}"))
        #expect(e.message == "'rho' is not a key of optimizer 'adam'; it belongs to rmsprop")
        #expect(e.location.column == 21)
    }

    @Test func scheduleKeys() throws {
        let e = try #require(error("{schedule: {name: cosine, gamma: 0.5}}"))
        #expect(e.message == "'gamma' is not a key of schedule 'cosine'; it belongs to step and exponential")
        #expect(e.location == SourceLocation(file: "bad.yaml", line: 3, column: 34))
        let step = try #require(error("{schedule: {name: exponential, step_size: 3}}"))
        #expect(step.message == "'step_size' is not a key of schedule 'exponential'; it belongs to step")
    }

    /// A key no optimizer reads is still unknown, with a "did you mean".
    @Test func unknownKeyStillSuggests() throws {
        let e = try #require(error("{optimizer: {name: adam, bta1: 0.5}}"))
        guard case .unknownKey("bta1", "'optimizer'", _, _) = e else { Issue.record("got \(e)"); return }
        #expect(e.hint == "did you mean 'beta1'?")
    }

    /// Every key a member reads is read, with the member's default when absent.
    @Test func membersReadTheirKeysAndDefaults() throws {
        let parse = { (train: String) throws -> TrainingConfig in
            try #require(try SpecParser.parse("input: [1, 4, 4]\nlayers: [relu]\ntrain: \(train)\n")[0].training)
        }
        let rms = try parse("{optimizer: {name: rmsprop, rho: 0.5, eps: 0.01}}").optimizer
        #expect(rms.kind == .rmsprop && rms.rho == 0.5 && rms.epsilon == 0.01 && rms.learningRate == 0.001)
        #expect(try parse("{schedule: step}").schedule == .step(stepSize: 10, gamma: 0.1))
        #expect(try parse("{schedule: exponential}").schedule == .exponential(gamma: 0.95))
        #expect(try parse("{schedule: {name: exponential, gamma: 0.5}}").schedule == .exponential(gamma: 0.5))
    }

    @Test func keyOfAnotherLayerKind() throws {
        do {
            _ = try SpecParser.parse("input: [1, 4, 4]\nlayers:\n  - conv: {filters: 2, size: 3, units: 4}\n", file: "bad.yaml")
            Issue.record("accepted")
        } catch {
            #expect(error.message == "'units' is not a key of 'conv'; it belongs to dense")
            #expect(error.location == SourceLocation(file: "bad.yaml", line: 3, column: 33))
        }
    }

    /// The declarations name exactly the IR's optimizers, and their defaults are the IR's.
    @Test func declarationsMatchTheIR() {
        #expect(SpecVocabulary.optimizers.members.map(\.name) == OptimizerConfig.Kind.allCases.map(\.rawValue))
        let ir = OptimizerConfig()
        let defaults: [String: Double] = ["lr": ir.learningRate, "momentum": ir.momentum, "beta1": ir.beta1, "beta2": ir.beta2,
                                          "rho": ir.rho, "eps": ir.epsilon, "weight_decay": ir.weightDecay]
        for key in SpecVocabulary.optimizers.allKeys where key.name != "name" {
            #expect(key.defaultValue == .number(defaults[key.name]!), "\(key.name)")
        }
        #expect(SpecVocabulary.optimizers.defaultName == ir.kind.rawValue)
    }
}
