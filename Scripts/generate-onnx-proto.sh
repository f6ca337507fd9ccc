#!/usr/bin/env bash
# Regenerates Sources/CNNExport/onnx-subset.pb.swift from onnx-subset.proto. Normal builds never
# run this: the generated file is committed. Needs protoc (Debian: protobuf-compiler) and builds
# protoc-gen-swift from the swift-protobuf package this repository depends on.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v protoc > /dev/null || { echo "protoc not found: apt-get install protobuf-compiler" >&2; exit 1; }
swift package resolve
swift build -c release --package-path .build/checkouts/swift-protobuf --scratch-path .build/protoc-gen-swift \
    --product protoc-gen-swift
protoc --plugin=protoc-gen-swift=.build/protoc-gen-swift/release/protoc-gen-swift \
    --swift_out=Sources/CNNExport --swift_opt=Visibility=Internal \
    --proto_path=Sources/CNNExport Sources/CNNExport/onnx-subset.proto
echo "wrote Sources/CNNExport/onnx-subset.pb.swift"
