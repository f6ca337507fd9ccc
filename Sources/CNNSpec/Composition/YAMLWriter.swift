import CNNIR
import CYAML

/// Writes `YAMLNode` trees as YAML through libyaml's emitter, which quotes whatever needs quoting.
/// Scalars keep their text and style (a quoted "64" stays a string); a list or mapping whose items are all
/// scalars is written on one line (`[1, 28, 28]`, `{filters: 32, size: 3}`), anything else as a block.
public enum YAMLWriter {
    public static func text(_ roots: [YAMLNode]) -> String {
        var emitter = yaml_emitter_t()
        guard yaml_emitter_initialize(&emitter) == 1 else { return "" }
        defer { yaml_emitter_delete(&emitter) }
        let output = Output()
        let context = Unmanaged.passUnretained(output).toOpaque()
        yaml_emitter_set_output(&emitter, { context, buffer, size in
            guard let context, let buffer else { return 0 }
            Unmanaged<Output>.fromOpaque(context).takeUnretainedValue().bytes.append(contentsOf: UnsafeBufferPointer(start: buffer, count: size))
            return 1
        }, context)
        yaml_emitter_set_unicode(&emitter, 1)
        yaml_emitter_set_width(&emitter, 120)
        yaml_emitter_set_indent(&emitter, 2)

        var event = yaml_event_t()
        yaml_stream_start_event_initialize(&event, YAML_UTF8_ENCODING)
        yaml_emitter_emit(&emitter, &event)
        for (index, root) in roots.enumerated() {
            yaml_document_start_event_initialize(&event, nil, nil, nil, index == 0 ? 1 : 0)
            yaml_emitter_emit(&emitter, &event)
            emit(root, &emitter)
            yaml_document_end_event_initialize(&event, 1)
            yaml_emitter_emit(&emitter, &event)
        }
        yaml_stream_end_event_initialize(&event)
        yaml_emitter_emit(&emitter, &event)
        yaml_emitter_flush(&emitter)
        let text = String(decoding: output.bytes, as: UTF8.self)
        return text.hasSuffix("\n") ? text : text + "\n"
    }

    private final class Output { var bytes: [UInt8] = [] }

    private static func emit(_ node: YAMLNode, _ emitter: inout yaml_emitter_t) {
        var event = yaml_event_t()
        switch node.value {
        case .scalar(let text, let plain):
            var bytes = Array(text.utf8)
            let style = plain ? YAML_PLAIN_SCALAR_STYLE : YAML_DOUBLE_QUOTED_SCALAR_STYLE
            bytes.withUnsafeMutableBufferPointer { buffer in
                _ = yaml_scalar_event_initialize(&event, nil, nil, buffer.baseAddress, Int32(buffer.count),
                                                 plain ? 1 : 0, plain ? 0 : 1, style)
            }
            yaml_emitter_emit(&emitter, &event)
        case .sequence(let items):
            let style = isFlat(items) ? YAML_FLOW_SEQUENCE_STYLE : YAML_BLOCK_SEQUENCE_STYLE
            yaml_sequence_start_event_initialize(&event, nil, nil, 1, style)
            yaml_emitter_emit(&emitter, &event)
            for item in items { emit(item, &emitter) }
            yaml_sequence_end_event_initialize(&event)
            yaml_emitter_emit(&emitter, &event)
        case .mapping(let pairs):
            let flat = !pairs.isEmpty && isFlat(pairs.map(\.value)) || pairs.isEmpty
            yaml_mapping_start_event_initialize(&event, nil, nil, 1, flat ? YAML_FLOW_MAPPING_STYLE : YAML_BLOCK_MAPPING_STYLE)
            yaml_emitter_emit(&emitter, &event)
            for pair in pairs {
                emit(pair.key, &emitter)
                emit(pair.value, &emitter)
            }
            yaml_mapping_end_event_initialize(&event)
            yaml_emitter_emit(&emitter, &event)
        }
    }

    /// Scalars, or short lists of scalars (`size: [3, 1]` inside `{…}`).
    private static func isFlat(_ nodes: [YAMLNode]) -> Bool {
        nodes.allSatisfy { node in
            switch node.value {
            case .scalar: return true
            case .sequence(let items): return items.count <= 8 && items.allSatisfy { $0.scalar != nil }
            case .mapping: return false
            }
        }
    }
}
