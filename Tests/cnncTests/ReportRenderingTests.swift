import Foundation
import Testing
@testable import CNNRuntime
@testable import cnnc

/// The pieces of the HTML report and of curves.svg: round ticks, epoch ticks, mistakes, BMP images.
struct ReportRenderingTests {
    @Test func ticksAreRoundAndCoverTheRange() {
        #expect(CurvesSVG.ticks(from: 0, to: 2.312) == [0, 0.5, 1, 1.5, 2, 2.5])
        #expect(CurvesSVG.ticks(from: 0.61, to: 1) == [0.6, 0.7, 0.8, 0.9, 1])
        for (low, high) in [(0.0, 0.0031), (0.0, 17.0), (0.42, 0.99), (0.0, 1e-6)] {
            let ticks = CurvesSVG.ticks(from: low, to: high)
            #expect(ticks.first! <= low && ticks.last! >= high && (2...9).contains(ticks.count), "\(low)…\(high): \(ticks)")
        }
        #expect(CurvesSVG.label(2.5) == "2.5" && CurvesSVG.label(2) == "2" && CurvesSVG.label(97.5) == "97.5" && CurvesSVG.label(0.25) == "0.25")
    }

    @Test func epochTicksAreWholeAndFew() {
        #expect(CurvesSVG.epochTicks(1) == [1])
        #expect(CurvesSVG.epochTicks(10) == Array(1...10))
        #expect(CurvesSVG.epochTicks(12) == [1, 2, 4, 6, 8, 10, 12])
        #expect(CurvesSVG.epochTicks(80) == [1, 10, 20, 30, 40, 50, 60, 70, 80])
    }

    @Test func curvesHaveTheLegendUnderThePanels() {
        var rows: [MetricsRecorder.Row] = []
        for epoch in 1...3 {
            let e = Double(epoch)
            let train = 0.6 + 0.1 * e, validation = 0.55 + 0.1 * e, test = 0.5 + 0.1 * e
            rows.append(MetricsRecorder.Row(epoch: epoch, learningRate: 0.001, trainLoss: 2 / e, trainAccuracy: train,
                                            validationAccuracy: validation, testLoss: 1.5 / e, testAccuracy: test, seconds: 1,
                                            imagesPerSecond: 1000, validationLoss: 1.6 / e))
        }
        let svg = CurvesSVG.render(rows)
        #expect(svg.components(separatedBy: ">validation<").count == 3)   // both panels
        #expect(svg.contains(">0.5<") && svg.contains(">100%<") && svg.contains(">3</text>"))
    }

    @Test func mostConfidentMistakesAreSurestFirst() {
        // 4 images, 3 classes.
        let p: [Float] = [0.9, 0.05, 0.05,   // label 0: right
                          0.1, 0.8, 0.1,     // label 2: wrong, 0.8
                          0.2, 0.2, 0.6,     // label 1: wrong, 0.6
                          0.05, 0.9, 0.05]   // label 0: wrong, 0.9
        let mistakes = Evaluation.mostConfidentMistakes(probabilities: p, labels: [0, 2, 1, 0], classes: 3, limit: 2)
        #expect(mistakes == [Evaluation.Mistake(image: 3, label: 0, predicted: 1, confidence: 0.9),
                             Evaluation.Mistake(image: 1, label: 2, predicted: 1, confidence: 0.8)])
        #expect(Evaluation.mostConfidentMistakes(probabilities: [], labels: [], classes: 3, limit: 5).isEmpty)
    }

    @Test func bmpHasItsHeadersAndPaddedBottomUpRows() {
        // 3×2 grey: rows [0, 0.5, 1] and [1, 1, 1]; 9 bytes a row, padded to 12.
        let bmp = BitmapImage.bmp([0, 0.5, 1, 1, 1, 1][...], channels: 1, height: 2, width: 3)
        #expect(bmp.count == 54 + 2 * 12)
        #expect(Array(bmp.prefix(2)) == Array("BM".utf8))
        #expect(Array(bmp[54..<63]) == [255, 255, 255, 255, 255, 255, 255, 255, 255])      // the bottom row first
        #expect(Array(bmp[66..<75]) == [0, 0, 0, 128, 128, 128, 255, 255, 255])
    }

    @Test func humanUnitsRoundIntoTheNextUnit() {
        #expect(Format.human(999) == "999" && Format.human(9_248) == "9.25 k" && Format.human(123_552) == "123.6 k")
        #expect(Format.human(999_998) == "1.00 M" && Format.human(138_357_544) == "138.4 M" && Format.human(15_470_264_320) == "15.47 G")
        #expect(Format.human(-2_500) == "-2.50 k")
    }

    @Test func ticksOfADegenerateRangeStillSpanSomething() {
        #expect(CurvesSVG.ticks(from: 1, to: 1) == [1, 2] && CurvesSVG.ticks(from: .nan, to: 1) == [0, 1])
    }
}
