#if canImport(Glibc)
import Glibc
#endif

/// `sigmoid`: y = 1 / (1 + e^−x); dy/dx = y·(1 − y).
struct Sigmoid: ElementwiseFunction {
    func value(_ x: Float) -> Float { 1 / (1 + expf(-x)) }
    func derivative(_ x: Float, _ y: Float) -> Float { y * (1 - y) }
}
