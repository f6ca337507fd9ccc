#if canImport(Glibc)
import Glibc
#endif

/// `tanh`: y = tanh(x); dy/dx = 1 − y².
struct Tanh: ElementwiseFunction {
    func value(_ x: Float) -> Float { tanhf(x) }
    func derivative(_ x: Float, _ y: Float) -> Float { 1 - y * y }
}
