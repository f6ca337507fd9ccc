import CNNIR
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Composes a spec's documents before they are built into networks, in this order:
/// 1. `extends: base.yaml` (relative to the spec): the base, itself composed, with this document merged onto it
///    (mappings merge key by key, a null value removes a key, lists and scalars replace; `layers:` as a list
///    replaces the base's, as a mapping patches the base's layers by name);
/// 2. the `--set` overrides that do not address a layer;
/// 3. `blocks:`, expanded where they are used (`BlockExpander`);
/// 4. the `layers:` patches, then the `--set layers.NAME…` overrides, by the names the layers end up with.
/// The result is a plain spec with no `extends` or `blocks`: what `cnnc check --resolved` prints and a run
/// folder keeps as its `spec.yaml`.
public struct SpecComposer {
    public static let maximumExtendsDepth = 16
    public let overrides: [SpecOverride]

    public init(overrides: [SpecOverride] = []) { self.overrides = overrides }

    struct LayerPatch {
        var name: String
        var location: SourceLocation
        var path: ArraySlice<String>
        var value: YAMLNode?
    }

    public func compose(_ documents: [YAMLDocument], file: String) throws(SpecError) -> [YAMLDocument] {
        var result = documents
        for index in result.indices {
            let (resolved, patches) = try resolvingExtends(result[index].root, file: file, chain: [Self.canonical(file)])
            var root = resolved
            for override in overrides where !Self.addressesLayer(override) {
                guard override.path[0] != "extends" else {
                    throw .badOverride(text: override.text, problem: "'extends' is read before overrides; edit the file", at: override.location)
                }
                root = try LayerEditor.setting(root, path: override.path[...], to: override.value, parentKey: "the network",
                                               at: override.location) ?? root
            }
            var expander = try BlockExpander(root)
            root = try expander.expanded(root)
            for patch in patches {
                root = try LayerEditor.edit(root, layer: patch.name, path: patch.path, value: patch.value, at: patch.location)
            }
            result[index].root = root
        }
        // A layer override applies to every network that has the layer, and must find it in one of them.
        for override in overrides where Self.addressesLayer(override) {
            let name = override.path[1]
            var edited = false
            var firstError: SpecError?
            for index in result.indices {
                do {
                    result[index].root = try LayerEditor.edit(result[index].root, layer: name, path: override.path.dropFirst(2),
                                                              value: override.value, at: override.location)
                    edited = true
                } catch {
                    guard case .unknownLayer = error, result.count > 1 else { throw error }
                    firstError = firstError ?? error
                }
            }
            if !edited, let firstError { throw firstError }
        }
        return result
    }

    /// `layers.NAME…`, not `layers=[...]`.
    static func addressesLayer(_ override: SpecOverride) -> Bool {
        override.path.count >= 2 && override.path[0] == "layers"
    }

    // MARK: - extends

    private func resolvingExtends(_ root: YAMLNode, file: String, chain: [String]) throws(SpecError) -> (YAMLNode, [LayerPatch]) {
        guard root.pairs != nil, let extendsNode = root["extends"] else { return (root, []) }
        guard case .scalar(let written, _) = extendsNode.value, !written.isEmpty, !extendsNode.isNull else {
            throw .typeMismatch(what: "'extends'", expected: "the path of a spec file, relative to this one", found: extendsNode.typeDescription,
                                at: extendsNode.location)
        }
        let path = written.hasPrefix("/") ? written : Self.directory(of: file) + written
        let canonical = Self.canonical(path)
        if chain.contains(canonical) {
            throw .extendsCycle(chain: chain + [canonical], at: extendsNode.location)
        }
        guard chain.count <= Self.maximumExtendsDepth else {
            throw .extendsTooDeep(limit: Self.maximumExtendsDepth, at: extendsNode.location)
        }
        // A base is a file: a FIFO or a device (`extends: /dev/stdin`) would block or never end.
        var info = stat()
        if stat(path, &info) == 0, (info.st_mode & S_IFMT) != S_IFREG, (info.st_mode & S_IFMT) != S_IFDIR {
            throw .invalidValue(what: "'extends'", value: "'\(written)'", requirement: "a regular spec file, not a device or pipe",
                                at: extendsNode.location)
        }
        let bytes: [UInt8]
        do {
            bytes = try SpecParser.readFile(path)
        } catch {
            throw .invalidValue(what: "'extends'", value: "'\(written)'", requirement: "a readable spec file (\(path): \(error.message))",
                                at: extendsNode.location)
        }
        let documents = try YAMLReader(file: path).documents(from: bytes)
        guard documents.count == 1 else {
            throw .invalidValue(what: "'extends'", value: "'\(written)'",
                                requirement: "a spec with one network (\(path) has \(documents.count) documents)", at: extendsNode.location)
        }
        var (base, patches) = try resolvingExtends(documents[0].root, file: path, chain: chain + [canonical])
        guard base.pairs != nil else {
            throw .typeMismatch(what: "the network in \(path)", expected: "a mapping", found: base.typeDescription, at: base.location)
        }
        var overlay: [(key: YAMLNode, value: YAMLNode)] = []
        for pair in root.pairs! where pair.key.scalar != "extends" {
            if pair.key.scalar == "layers", let layerPatches = pair.value.pairs {
                for patch in layerPatches {
                    let name = patch.key.scalar ?? patch.key.typeDescription
                    patches.append(LayerPatch(name: name, location: patch.key.location, path: [],
                                              value: patch.value.isNull ? nil : patch.value))
                }
                continue
            }
            overlay.append(pair)
        }
        base = base.merging(YAMLNode(.mapping(overlay), at: root.location))
        return (base, patches)
    }

    static func directory(of file: String) -> String {
        guard let slash = file.lastIndex(of: "/") else { return "" }
        return String(file[...slash])
    }

    /// The real path when the file exists, for cycle detection; else the path as written.
    static func canonical(_ path: String) -> String {
        guard let resolved = realpath(path, nil) else { return path }
        defer { free(resolved) }
        return String(cString: resolved)
    }
}
