import CBLAS

/// The one file that calls OpenBLAS. Row-major single-precision GEMM:
///
///     C[m, n] = alpha · op(A)[m, k] · op(B)[k, n] + beta · C[m, n]
public enum BLAS {
    /// Threads OpenBLAS may use inside one call. cnnc parallelises over images itself, so it sets 1.
    public static func setThreads(_ n: Int) {
        openblas_set_num_threads(Int32(n))
    }

    /// The kernel set OpenBLAS chose for this CPU when it loaded ("Haswell", "SkylakeX", …; see `OPENBLAS_CORETYPE`).
    public static var coreName: String { openblas_get_corename().map { String(cString: $0) } ?? "unknown" }

    @inline(__always)
    public static func gemm(transposeA: Bool = false, transposeB: Bool = false, m: Int, n: Int, k: Int,
                            alpha: Float = 1, a: UnsafePointer<Float>, lda: Int,
                            b: UnsafePointer<Float>, ldb: Int,
                            beta: Float = 0, c: UnsafeMutablePointer<Float>, ldc: Int) {
        cblas_sgemm(CblasRowMajor, transposeA ? CblasTrans : CblasNoTrans, transposeB ? CblasTrans : CblasNoTrans,
                    Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
    }

    /// y[m] = A[m, n] · x[n] (row-major A, unit strides): a matrix-vector product, which reads A once, in place.
    @inline(__always)
    public static func gemv(m: Int, n: Int, a: UnsafePointer<Float>, lda: Int, x: UnsafePointer<Float>, y: UnsafeMutablePointer<Float>) {
        cblas_sgemv(CblasRowMajor, CblasNoTrans, Int32(m), Int32(n), 1, a, Int32(lda), x, 1, 0, y, 1)
    }
}
