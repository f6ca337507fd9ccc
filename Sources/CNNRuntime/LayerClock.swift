import Dispatch
import Foundation

/// Wall time per layer, nested ones included (a residual's body, a concat's branches), for the benchmark's
/// breakdown: a layer stack given a clock in its `StepContext` times each of its layers' passes and adds them here.
public final class LayerClock: @unchecked Sendable {
    private var seconds: [ObjectIdentifier: (forward: Double, backward: Double)] = [:]
    private let lock = NSLock()

    public init() {}

    func add(_ layer: RuntimeLayer, forward: Double = 0, backward: Double = 0) {
        lock.lock()
        defer { lock.unlock() }
        let old = seconds[ObjectIdentifier(layer)] ?? (0, 0)
        seconds[ObjectIdentifier(layer)] = (old.forward + forward, old.backward + backward)
    }

    /// Seconds in `layer`'s forward and backward passes since the clock was made or reset.
    func time(of layer: RuntimeLayer) -> (forward: Double, backward: Double) {
        lock.lock()
        defer { lock.unlock() }
        return seconds[ObjectIdentifier(layer)] ?? (0, 0)
    }

    func reset() {
        lock.lock()
        defer { lock.unlock() }
        seconds.removeAll(keepingCapacity: true)
    }

    /// Runs `body`, adding its wall time to `layer`'s forward (or backward) seconds.
    func measure(_ layer: RuntimeLayer, backward: Bool, _ body: () -> Void) {
        let start = DispatchTime.now().uptimeNanoseconds
        body()
        let elapsed = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        if backward { add(layer, backward: elapsed) } else { add(layer, forward: elapsed) }
    }
}
