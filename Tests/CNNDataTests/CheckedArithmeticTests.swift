import CNNData
import Testing

/// Sizes from file headers: overflow is reported, not trapped or wrapped.
struct CheckedArithmeticTests {
    @Test func checkedArithmeticReportsOverflow() {
        #expect(CheckedArithmetic.product([1 << 31, 1 << 31]) == 1 << 62)
        #expect(CheckedArithmetic.product([1 << 32, 1 << 32]) == nil)
        #expect(CheckedArithmetic.product([]) == 1)
        #expect(CheckedArithmetic.sum(Int.max, 1) == nil)
        #expect(CheckedArithmetic.sum(-5, 3) == -2)
    }
}
