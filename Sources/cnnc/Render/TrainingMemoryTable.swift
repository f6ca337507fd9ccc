import CNNAnalysis
import CNNIR
import CNNRuntime

/// `cnnc params --batch N`: what training the network takes, per layer and in total, as cnnc allocates it.
enum TrainingMemoryTable {
    static func render(_ analysis: NetworkAnalysis, batch: Int, threads: Int) -> String {
        let optimizer = analysis.network.training?.optimizer.kind ?? .adam
        let slots = MemoryBudget.optimizerSlots(optimizer)
        let layers = MemoryBudget.layers(analysis, optimizerSlots: slots)
        let budget = MemoryBudget.training(analysis, batchCapacity: batch, threads: threads, optimizer: optimizer)
        var lines = ["\(analysis.network.name): training memory at batch \(batch), \(optimizer.rawValue), "
                     + Format.count(threads, "thread")]
        guard let total = budget.total else {
            lines.append("  more than 64 bits of bytes: the network or the batch is far too large to train")
            return lines.joined(separator: "\n")
        }
        var table = TextTable(headers: ["layer", "kind", "params + grads", "optimizer", "activations", "scratch", "total", "share"],
                              numeric: [false, false, true, true, true, true, true, true])
        for row in layers {
            let layerTotal = row.total(batch: batch, threads: threads) ?? 0
            table.rows.append([LayerTree.indent(row.depth) + row.layer.name, KindDescription.of(row.layer),
                               size(row.parameterBytes), size(row.optimizerBytes), size(row.activationBytesPerImage * batch),
                               size(row.scratchBytesPerThread * threads), size(layerTotal), Format.share(layerTotal, of: total)])
        }
        lines.append(table.rendered(indent: "  "))
        let input = analysis.network.input.count * 4 * batch
        lines.append("  parameters and gradients: \(Format.bytes(budget.parameterBytes)) (\(Format.grouped(analysis.storedValues)) values"
                     + (analysis.buffers > 0 ? ", batchnorm's buffers included" : "") + ", float32, each with its gradient)")
        lines.append("  optimizer state: \(Format.bytes(budget.optimizerBytes)) (\(optimizer.rawValue): "
                     + (slots == 0 ? "none" : Format.count(slots, "float")) + " per parameter)")
        lines.append("  activations kept for backward: \(Format.bytes(budget.bytesPerImage * batch)) (\(Format.bytes(budget.bytesPerImage)) per image: "
                     + "the input batch, each layer's output (a relu after a conv or batchnorm shares its), masks, argmax and copies, "
                     + "and the output gradients: two buffers per depth of nesting (the outputs of evaluation's passes take turns in them), "
                     + "with two per depth of residual shortcuts for their outputs in evaluation, each at the first layer that needs its whole size)")
        lines.append("  scratch: \(Format.bytes(budget.bytesPerThread * threads)) (\(Format.bytes(budget.bytesPerThread)) per thread: "
                     + "the largest conv's im2col columns, padded copies, Winograd tiles and gradient accumulator, shared by every layer, "
                     + "where the rows give each layer's own; a bound)")
        lines.append("  weight copies and runtime: \(Format.bytes(budget.fixedBytes)) (packed and transformed weights, a bound, "
                     + "and \(Format.bytes(MemoryBudget.runtimeBytes)) for code, OpenBLAS and the data's first pages)")
        lines.append("  peak of the forward and backward pass: \(Format.bytes(total)) (\(Format.bytes(input)) of it the input batch); "
                     + "cnnc allocates all of it when the model is built, and a step allocates nothing more")
        return lines.joined(separator: "\n")
    }

    /// Bytes in the table: "-" for none.
    static func size(_ bytes: Int) -> String { bytes == 0 ? "-" : Format.bytes(bytes) }
}
