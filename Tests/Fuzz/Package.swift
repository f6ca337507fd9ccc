// swift-tools-version:6.1
// libFuzzer targets over cnnc's inputs: the spec compiler (YAML → IR → analysis → memory budget) and the
// readers of safetensors, IDX, PNG and PGM files. Built apart from cnnc with the fuzzer instrumentation:
//   swift build -c release --package-path Tests/Fuzz --scratch-path .build-fuzz \
//       -Xswiftc -sanitize=fuzzer,address -Xswiftc -parse-as-library
// and run by Tests/Fuzz/run.sh (see there, and docs/guarantees.md).
import PackageDescription

let package = Package(
    name: "cnnc-fuzz",
    dependencies: [.package(name: "cnnc", path: "../..")],
    targets: [
        .executableTarget(name: "cnnc-fuzz", dependencies: [
            .product(name: "CNNSpec", package: "cnnc"), .product(name: "CNNAnalysis", package: "cnnc"),
            .product(name: "CNNData", package: "cnnc"), .product(name: "CNNRuntime", package: "cnnc"),
        ]),
    ]
)
