import CNNAnalysis
import CNNData
import CNNIR
import CNNRuntime
import CNNSpec
import Foundation

/// SwiftPM links an executable's `main` to `<module>_main`; here that hands libFuzzer's driver the target
/// (libFuzzer's own `main` is then not linked in).
@_cdecl("cnnc_fuzz_main")
public func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> CInt {
    var count = argc
    var arguments: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = argv
    return LLVMFuzzerRunDriver(&count, &arguments, fuzzOneInput)
}

@_silgen_name("LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(_ argc: UnsafeMutablePointer<CInt>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
                         _ callback: @convention(c) (UnsafePointer<UInt8>, Int) -> CInt) -> CInt

/// One libFuzzer entry point for every target; `CNNC_FUZZ_TARGET` picks the input it reads:
/// - `spec`: YAML through the parser, the analysis and the memory budget (`cnnc check`'s path);
/// - `safetensors`: a checkpoint decoded and loaded into a small network (eval, export, --init-weights);
/// - `idx`: an IDX image file and the same bytes as a label file, raw or gzipped;
/// - `png`, `pgm`, `jpeg`: an image through the reader `predict` and image folders use (`pgm` covers PPM too);
/// - `npy`: a NumPy array as images and as labels; `npz`: an archive's members through libzip;
/// - `cifar`: CIFAR-10 and CIFAR-100 records (fine and coarse).
/// Every input must end in a value or an error value: a trap, a crash or a huge allocation is a finding.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ start: UnsafePointer<UInt8>, _ count: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: start, count: count))
    switch FuzzTarget.current {
    case "spec": FuzzTarget.spec(bytes)
    case "safetensors": FuzzTarget.safetensors(bytes)
    case "idx": FuzzTarget.idx(bytes)
    case "png": FuzzTarget.image(bytes, suffix: "png")
    case "pgm": FuzzTarget.image(bytes, suffix: "pgm")
    case "npy": FuzzTarget.npy(bytes)
    case "npz": FuzzTarget.npz(bytes)
    case "cifar": FuzzTarget.cifar(bytes)
    case "jpeg": FuzzTarget.image(bytes, suffix: "jpg")
    default:
        print("set CNNC_FUZZ_TARGET to spec, safetensors, idx, png, pgm, jpeg, npy, npz or cifar")
        exit(2)
    }
    return 0
}

enum FuzzTarget {
    static let current = ProcessInfo.processInfo.environment["CNNC_FUZZ_TARGET"] ?? ""
    /// Readers take paths: each input is written to one file of this process first.
    static let scratch = (FileManager.default.fileExists(atPath: "/dev/shm") ? "/dev/shm" : NSTemporaryDirectory())
        + "/cnnc-fuzz-\(getpid())"

    static func spec(_ bytes: [UInt8]) {
        guard let networks = try? SpecParser.parse(bytes, file: "fuzz.yaml") else { return }
        for network in networks {
            guard let analysis = try? NetworkAnalysis(network) else { continue }
            let budget = MemoryBudget.training(analysis, batchCapacity: network.training?.batch ?? 100, threads: 2, optimizer: .adam)
            _ = budget.total
            try? budget.check(available: 1 << 30)
        }
    }

    /// A small network whose tensors the fuzzer's checkpoints are loaded into (names and shapes checked).
    nonisolated(unsafe) static let model: Model = {
        let yaml = """
            input: [1, 8, 8]
            layers:
              - conv: {filters: 4, size: 3, name: conv1}
              - batchnorm: {name: bn1}
              - relu
              - dense: {units: 3, name: head}
            """
        let network = try! SpecParser.parse(yaml, file: "model.yaml")[0]
        return Model(try! NetworkAnalysis(network), batchCapacity: 1)
    }()

    static func safetensors(_ bytes: [UInt8]) {
        _ = try? Checkpoint.load(model.parameters, from: Data(bytes), path: "fuzz.safetensors")
    }

    static func idx(_ bytes: [UInt8]) {
        let path = scratch + ".idx"
        guard FileManager.default.createFile(atPath: path, contents: Data(bytes)) else { return }
        defer { unlink(path) }
        // A small cap keeps a valid but large header from spending the run on one input.
        _ = try? IDXReader.images(path: path, maxBytes: 1 << 24)
        _ = try? IDXReader.labels(path: path, maxBytes: 1 << 24)
    }

    static func image(_ bytes: [UInt8], suffix: String) {
        let path = scratch + "." + suffix
        guard FileManager.default.createFile(atPath: path, contents: Data(bytes)) else { return }
        defer { unlink(path) }
        if let image = try? ImageReader.read(path: path, channels: 3, maxPixels: 1 << 22) {
            _ = ImageResize(mode: .shorterSideThenCenterCrop, filter: .area).apply(to: image, width: 28, height: 28)
        }
    }

    static func npy(_ bytes: [UInt8]) {
        guard let array = try? NumPyArray.decode(bytes, path: "fuzz.npy", maxBytes: 1 << 24) else { return }
        _ = try? array.images(path: "fuzz.npy")
        _ = try? array.labels(path: "fuzz.npy")
    }

    static func npz(_ bytes: [UInt8]) {
        let path = scratch + ".npz"
        guard FileManager.default.createFile(atPath: path, contents: Data(bytes)) else { return }
        defer { unlink(path) }
        guard let archive = try? NumPyArchive(path: path) else { return }
        for name in archive.names.prefix(8) {
            if let array = try? archive.array(name, maxBytes: 1 << 24) { _ = try? array.labels(path: name) }
        }
    }

    static func cifar(_ bytes: [UInt8]) {
        for labels in [CIFARReader.Labels.cifar10, .fine, .coarse] {
            var records = CIFARReader.Records()
            _ = try? CIFARReader.decode(bytes, labels: labels, path: "fuzz.bin", into: &records)
        }
    }
}
