import Testing
@testable import cnnc

/// The progress line fits any width: the bar shrinks, then images/s and the epoch's ETA give way to it, then figures go.
struct ProgressLineTests {
    let line = ProgressLine(epoch: 12, epochs: 20, step: 250, steps: 500, loss: 0.123456, imagesPerSecond: 1534,
                            epochRemaining: 75, runRemaining: 612)

    @Test(arguments: [200, 120, 100, 80, 60, 50, 40, 30, 20, 12, 10, 5, 2])
    func neverWiderThanTheTerminalLessOne(columns: Int) {
        let text = line.rendered(columns: columns)
        #expect(text.count <= columns - 1, "\(columns): \(text)")
        #expect(text.hasPrefix(String("epoch 12/20".prefix(columns - 1))))
    }

    @Test func wideTerminalsGetEverythingAndA30CharacterBar() {
        #expect(line.rendered(columns: 120) == "epoch 12/20 " + String(repeating: "█", count: 15) + String(repeating: "·", count: 15)
                + " 250/500  loss 0.1235  1,534 img/s  ETA 1:15  run 10:12")
    }

    @Test func at60ColumnsTheBarStaysAndImagesPerSecondAndTheEpochsETAGo() {
        let text = line.rendered(columns: 60)
        #expect(text.contains("█") && !text.contains("img/s") && !text.contains("ETA") && text.contains("run 10:12"), "\(text)")
    }

    @Test func narrowTerminalsKeepTheStepAndTheRunsTimeLongest() {
        let text = line.rendered(columns: 40)
        #expect(text == "epoch 12/20  250/500  run 10:12", "\(text)")
    }

    @Test func evaluatingFitsToo() {
        #expect(ProgressLine.evaluating(epoch: 3, epochs: 20, runRemaining: 65, columns: 100)
                == "epoch 3/20  evaluating on the training and test images…  run 1:05")
        #expect(ProgressLine.evaluating(epoch: 3, epochs: 20, runRemaining: 65, columns: 60) == "epoch 3/20  evaluating…  run 1:05")
        #expect(ProgressLine.evaluating(epoch: 3, epochs: 20, runRemaining: nil, columns: 12).count <= 11)
    }
}
