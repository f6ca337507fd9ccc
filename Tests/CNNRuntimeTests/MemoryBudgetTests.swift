import CNNAnalysis
import CNNSpec
import Foundation
import Testing
@testable import CNNRuntime

/// Networks and batches too large for the machine are refused with figures, before any allocation.
struct MemoryBudgetTests {
    func analysis(_ spec: String) throws -> NetworkAnalysis {
        try NetworkAnalysis(try SpecParser.parse(spec, file: "m.yaml")[0])
    }

    @Test func aDenseLayerOfATrillionWeightsIsRefused() throws {
        let a = try analysis("input: [1, 1000, 1000]\nlayers:\n  - dense: {units: 1000000}\n")
        let budget = MemoryBudget.training(a, batchCapacity: 1, threads: 2, optimizer: .adam)
        #expect(budget.total! > 1 << 42)
        #expect(throws: ResourceError.self) { try budget.check(available: 24 << 30) }
        do { try budget.check(available: 24 << 30) } catch {
            #expect(error.message.contains("TiB"))
            #expect(error.hint!.contains("the network alone does not fit"))
        }
    }

    @Test func aHugeBatchIsRefusedWithTheLargestThatFits() throws {
        let a = try analysis("input: [1, 28, 28]\nlayers:\n  - conv: {filters: 16, size: 3}\n  - relu\n  - dense: {units: 10}\n")
        let fits = MemoryBudget.training(a, batchCapacity: 100, threads: 2, optimizer: .adam)
        try fits.check(available: 1 << 30)
        let huge = MemoryBudget.training(a, batchCapacity: Int.max, threads: 2, optimizer: .adam)
        #expect(huge.total == nil)
        #expect(throws: ResourceError.self) { try huge.check(available: 1 << 30) }
        let large = MemoryBudget.training(a, batchCapacity: 10_000_000, threads: 2, optimizer: .adam)
        do { try large.check(available: 1 << 30) } catch {
            guard case .tooLarge(_, _, let largest?, _) = error else { Issue.record("\(error)"); return }
            #expect(largest >= 100 && largest < 10_000_000)
            try MemoryBudget.training(a, batchCapacity: largest, threads: 2, optimizer: .adam).check(available: 1 << 30)
        }
    }

    @Test func theLimitCanBeSetForTestsAndSharedMachines() {
        #expect(MemoryBudget.availableBytes(environment: ["CNNC_MEMORY_LIMIT": "512M"]) == 512 << 20)
        #expect(MemoryBudget.availableBytes(environment: ["CNNC_MEMORY_LIMIT": "2GiB"]) == 2 << 30)
        #expect(MemoryBudget.availableBytes(environment: [:]) > 0)
        #expect(MemoryBudget.parseSize("99999999999T") == nil)
    }
}
