// swift-tools-version:6.1
// cnnc: a compiler and runner for declarative CNN architectures.
// The targets are the stages of the pipeline: spec -> IR -> analysis -> kernels/runtime -> CLI.
import PackageDescription

/// Hot loops are compiled for AVX2 + FMA, the baseline of every machine cnnc targets;
/// without it SIMD8<Float>.addingProduct lowers to eight libm `fmaf` calls.
let kernelFlags: [SwiftSetting] = [
    .unsafeFlags(["-Xcc", "-mavx2", "-Xcc", "-mfma", "-O"]),
]

let package = Package(
    name: "cnnc",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "cnnc", targets: ["cnnc"]),
        .library(name: "CNNAnalysis", targets: ["CNNAnalysis"]),
        // For the fuzz targets (Tests/Fuzz, a package of its own built with -sanitize=fuzzer).
        .library(name: "CNNSpec", targets: ["CNNSpec"]),
        .library(name: "CNNData", targets: ["CNNData"]),
        .library(name: "CNNRuntime", targets: ["CNNRuntime"]),
    ],
    // Data-parallel training over Open MPI is opt-in: `swift build -c release --traits MPI`.
    traits: [
        .trait(name: "MPI", description: "Data-parallel training under mpirun (needs Debian's libopenmpi-dev)."),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-protobuf", from: "1.28.0"),
    ],
    targets: [
        // MARK: - C libraries (Debian -dev packages), one tiny module map each
        .systemLibrary(name: "CYAML", pkgConfig: "yaml-0.1", providers: [.apt(["libyaml-dev"])]),
        .systemLibrary(name: "CBLAS", pkgConfig: "openblas", providers: [.apt(["libopenblas-dev"])]),
        .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
        .systemLibrary(name: "CPNG", pkgConfig: "libpng", providers: [.apt(["libpng-dev"])]),
        .systemLibrary(name: "CZip", pkgConfig: "libzip", providers: [.apt(["libzip-dev"])]),
        .systemLibrary(name: "CTurboJPEG", pkgConfig: "libturbojpeg", providers: [.apt(["libturbojpeg0-dev"])]),
        .systemLibrary(name: "CMPI", pkgConfig: "ompi-c", providers: [.apt(["libopenmpi-dev"])]),

        // MARK: - Spec compiler: YAML -> IR -> analysis
        .target(name: "CNNIR"),
        .target(name: "CNNSpec", dependencies: ["CNNIR", "CYAML"]),
        .target(name: "CNNAnalysis", dependencies: ["CNNIR"]),

        // MARK: - Runtime: kernels, layers, data, training
        // The hot loops in C with AVX2 + FMA intrinsics (direct and Winograd conv, pooling, batchnorm);
        // AVX2 + FMA is cnnc's baseline, checked by the CLI before any runtime code runs.
        .target(name: "CKernels", cSettings: [.unsafeFlags(["-O3", "-mavx2", "-mfma"])]),
        .target(name: "CNNKernels", dependencies: ["CBLAS", "CKernels"], swiftSettings: kernelFlags),
        .target(name: "CNNData", dependencies: ["CNNIR", "CZlib", "CPNG", "CZip", "CTurboJPEG"]),
        .target(name: "CNNRuntime", dependencies: ["CNNIR", "CNNAnalysis", "CNNKernels", "CNNData"],
                swiftSettings: kernelFlags),

        // MARK: - Distributed: the MPI world behind the runtime's Communicator (MPI only with the trait)
        .target(name: "CNNDistributed", dependencies: [
            "CNNRuntime", .target(name: "CMPI", condition: .when(traits: ["MPI"])),
        ]),

        // MARK: - Export: ONNX through swift-protobuf (the generated onnx-subset.pb.swift is committed)
        .target(name: "CNNExport", dependencies: [
            "CNNIR", "CNNAnalysis", "CNNRuntime",
            .product(name: "SwiftProtobuf", package: "swift-protobuf"),
        ], exclude: ["onnx-subset.proto"]),

        // MARK: - Command line
        .executableTarget(name: "cnnc", dependencies: [
            "CNNIR", "CNNSpec", "CNNAnalysis", "CNNKernels", "CNNRuntime", "CNNData", "CNNExport", "CNNDistributed", "CBLAS",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),

        // MARK: - Tests
        .target(name: "CNNTestSupport", dependencies: ["CNNRuntime", "CNNSpec", "CNNAnalysis", "CNNData"]),
        .testTarget(name: "CNNSpecTests", dependencies: ["CNNSpec", "CNNAnalysis", "CNNTestSupport"]),
        .testTarget(name: "CNNAnalysisTests", dependencies: ["CNNSpec", "CNNAnalysis"]),
        .testTarget(name: "CNNKernelsTests", dependencies: ["CNNKernels", "CNNTestSupport"]),
        .testTarget(name: "CNNRuntimeTests", dependencies: ["CNNRuntime", "CNNSpec", "CNNTestSupport"]),
        .testTarget(name: "CNNDataTests", dependencies: ["CNNData", "CNNTestSupport", "CZip"], exclude: ["Fixtures"]),
        .testTarget(name: "cnncTests", dependencies: ["cnnc", "CNNTestSupport"], exclude: ["Snapshots"]),
    ]
)
