import CNNIR
import Foundation
import Testing
@testable import CNNRuntime

/// `cnnc sweep`'s grid: values split at top-level commas, the product in order, a seeded random sample, and the results table's source.
struct SweepPlanTests {
    @Test func valuesSplitAtTopLevelCommasOnly() {
        #expect(SweepPlan.split("0.001,0.003, 0.01") == ["0.001", "0.003", "0.01"])
        #expect(SweepPlan.split("[1,28,28],[1,32,32]") == ["[1,28,28]", "[1,32,32]"])
        #expect(SweepPlan.split("{name: sgd, lr: 0.1},adam") == ["{name: sgd, lr: 0.1}", "adam"])
        #expect(SweepPlan.split("'a,b',c") == ["'a,b'", "c"])
        #expect(SweepPlan.split("[1,28,28]") == ["[1,28,28]"])
    }

    @Test func theGridIsTheProductWithTheFirstAxisSlowest() throws {
        let plan = try SweepPlan(spec: "s.yaml", network: nil, epochs: 2,
                                 sets: ["train.optimizer.lr=0.1,0.01", "train.batch=50", "layers.dense1.units=10,20,30"])
        #expect(plan.axes.map(\.path) == ["train.optimizer.lr", "layers.dense1.units"])
        #expect(plan.fixed == ["train.batch=50"])
        #expect(plan.runs.count == 6)
        #expect(plan.runs[0].overrides == ["train.optimizer.lr=0.1", "layers.dense1.units=10"])
        #expect(plan.runs[5].overrides == ["train.optimizer.lr=0.01", "layers.dense1.units=30"])
        #expect(plan.runs.map(\.folderName) == ["001", "002", "003", "004", "005", "006"])
        let again = try SweepPlan(spec: "s.yaml", network: nil, epochs: 2,
                                  sets: ["train.optimizer.lr=0.1,0.01", "train.batch=50", "layers.dense1.units=10,20,30"])
        #expect(again.sameSweep(as: plan))
        #expect(SweepPlan.decode(plan.encoded()) == plan)
    }

    @Test func aRandomSampleIsSeededAndInGridOrder() throws {
        let sets = ["a.x=1,2,3,4", "a.y=1,2,3,4"]
        let one = try SweepPlan(spec: "s.yaml", network: nil, epochs: nil, sets: sets, random: 5, seed: 7)
        let two = try SweepPlan(spec: "s.yaml", network: nil, epochs: nil, sets: sets, random: 5, seed: 7)
        let other = try SweepPlan(spec: "s.yaml", network: nil, epochs: nil, sets: sets, random: 5, seed: 8)
        #expect(one.runs.count == 5 && one == two && one.runs.map(\.overrides) != other.runs.map(\.overrides))
        #expect(Set(one.runs.map { $0.overrides.joined() }).count == 5)
    }

    @Test func aSampleMayComeFromAGridTooLargeToList() throws {
        let axes = (0..<3).map { "k\($0)=" + (0..<25).map(String.init).joined(separator: ",") }
        let plan = try SweepPlan(spec: "s.yaml", network: nil, epochs: nil, sets: axes, random: 5)
        #expect(plan.runs.count == 5 && Set(plan.runs.map { $0.overrides.joined() }).count == 5)
        #expect(plan.runs.allSatisfy { $0.overrides.count == 3 })
    }

    @Test func nothingToSweepAndHugeGridsAreRefused() {
        #expect(throws: SweepError.nothingToSweep) { try SweepPlan(spec: "s.yaml", network: nil, epochs: nil, sets: ["a=1"]) }
        let many = (0..<5).map { "k\($0)=" + (0..<10).map(String.init).joined(separator: ",") }
        #expect(throws: SweepError.self) { try SweepPlan(spec: "s.yaml", network: nil, epochs: nil, sets: many) }
    }

    @Test func resultsComeFromMetricsByColumnName() throws {
        let csv = """
            epoch,learning_rate,train_loss,train_accuracy,validation_accuracy,test_loss,test_accuracy,seconds,images_per_second,validation_loss
            1,0.001,1.0,0.5,0.80,0.9,0.79,10.5,400,0.7
            2,0.001,0.5,0.8,0.90,0.4,0.88,10.0,400,0.3
            3,0.001,0.4,0.9,0.85,0.4,0.91,9.5,400,0.35

            """
        let metrics = try #require(SweepResult.metrics(csv, selection: ModelSelection(TrainingConfig())))
        #expect(metrics.epochs == 3 && metrics.bestValidation == 0.90 && metrics.test == 0.88 && metrics.seconds == 30)
        // With early stopping on the validation loss, the best epoch is the lowest loss's, as best.safetensors.
        var config = TrainingConfig()
        config.validation = 0.1
        config.earlyStop = EarlyStop(metric: .validationLoss)
        #expect(SweepResult.metrics(csv, selection: ModelSelection(config))?.test == 0.88)
        config.earlyStop = EarlyStop(metric: .validationLoss, minDelta: 0.5)
        #expect(SweepResult.metrics(csv, selection: ModelSelection(config))?.test == 0.79)
    }
}
