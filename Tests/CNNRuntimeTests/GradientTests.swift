import CNNTestSupport
import Testing

/// Every layer's backward pass against central finite differences (tolerances in `GradientCheck`):
/// each case is a tiny network ending in the layer under test.
struct GradientTests {
    static let cases: [(String, String)] = [
        ("conv", "input: [2, 6, 6]\nlayers:\n  - conv: {filters: 3, size: 3}\n"),
        ("conv stride 2, pad 1", "input: [2, 7, 7]\nlayers:\n  - conv: {filters: 3, size: 3, stride: 2, pad: 1}\n"),
        ("conv dilation 2", "input: [1, 8, 8]\nlayers:\n  - conv: {filters: 2, size: 3, dilation: 2, pad: 1}\n"),
        ("conv groups 2", "input: [4, 5, 5]\nlayers:\n  - conv: {filters: 6, size: 3, groups: 2, pad: same}\n"),
        ("conv even kernel, same", "input: [2, 6, 6]\nlayers:\n  - conv: {filters: 2, size: 4, pad: same}\n"),
        ("conv asymmetric kernel and padding", "input: [2, 6, 7]\nlayers:\n  - conv: {filters: 2, size: [1, 3], pad: [0, 1, 2, 0], stride: [1, 2]}\n"),
        ("conv full padding", "input: [1, 4, 4]\nlayers:\n  - conv: {filters: 2, size: 3, pad: full}\n"),
        ("conv 1x1", "input: [3, 4, 4]\nlayers:\n  - conv: {filters: 2, size: 1, bias: false}\n"),
        // The direct AVX2 kernels (filters a multiple of 8, ungrouped), each border of their conditions:
        ("conv direct, 8 channels: direct input gradient", "input: [8, 5, 5]\nlayers:\n  - conv: {filters: 8, size: 3, pad: 1}\n"),
        ("conv direct, 1 channel: generic input gradient", "input: [1, 6, 6]\nlayers:\n  - conv: {filters: 16, size: 3, pad: 1}\n"),
        ("conv direct, 24 filters, pad 2 = window − 1", "input: [8, 4, 5]\nlayers:\n  - conv: {filters: 24, size: 3, pad: 2}\n"),
        ("conv direct, pad beyond the window", "input: [8, 3, 3]\nlayers:\n  - conv: {filters: 8, size: 2, pad: 2}\n"),
        ("conv direct, stride 2, dilation 2", "input: [8, 9, 9]\nlayers:\n  - conv: {filters: 8, size: 3, stride: 2, dilation: 2, pad: 2}\n"),
        ("conv direct, dilated even kernel, same", "input: [8, 6, 7]\nlayers:\n  - conv: {filters: 8, size: [2, 3], dilation: 2, pad: same}\n"),
        ("conv direct, no padding: the kernels read the image itself", "input: [8, 5, 5]\nlayers:\n  - conv: {filters: 8, size: 3}\n"),
        ("conv 1x1 on the GEMM path: one GEMM over a thread's images", "input: [40, 3, 4]\nlayers:\n  - conv: {filters: 16, size: 1}\n"),
        ("conv 1x1 of at most 32 channels: forward in the direct kernel, backward in GEMM",
         "input: [8, 3, 4]\nlayers:\n  - conv: {filters: 16, size: 1}\n"),
        ("conv 1x1 stride 2 on the GEMM path, its stored weights read in place", "input: [40, 5, 5]\nlayers:\n  - conv: {filters: 12, size: 1, stride: 2}\n"),
        ("conv Winograd reading the image and the output gradient in place (pad 0; pad 2, even sizes)",
         "input: [16, 6, 6]\nlayers:\n  - conv: {filters: 16, size: 3}\n  - conv: {filters: 16, size: 3, pad: 2}\n"),
        ("conv over 2^17 weights: Winograd forward and input gradient, GEMM weight gradient, images stacked",
         "input: [128, 2, 2]\nlayers:\n  - conv: {filters: 128, size: 3, pad: 1, bias: false}\n"),
        ("conv on the GEMM path for filters over 2^17 weights, stride 2, images stacked",
         "input: [128, 3, 3]\nlayers:\n  - conv: {filters: 128, size: 3, stride: 2, pad: 1}\n"),
        ("conv Winograd 16 → 16, odd size", "input: [16, 5, 5]\nlayers:\n  - conv: {filters: 16, size: 3, pad: 1}\n"),
        ("conv Winograd, pad 2, relu fused", "input: [16, 3, 4]\nlayers:\n  - conv: {filters: 16, size: 3, pad: 2}\n  - relu\n"),
        ("conv 1x1 grouped", "input: [4, 3, 3]\nlayers:\n  - conv: {filters: 4, size: 1, groups: 2}\n"),
        // The depthwise kernels (one input channel per group), each border of their window clipping:
        ("depthwise stride 2, pad 1, 11 channels (vector lanes and scalar tail)",
         "input: [11, 7, 7]\nlayers:\n  - depthwise: {size: 3, stride: 2, pad: 1}\n"),
        ("depthwise as conv groups = C, dilation 2, pad beyond the window, bias",
         "input: [9, 5, 6]\nlayers:\n  - conv: {filters: 9, size: 3, groups: 9, dilation: 2, pad: 3}\n"),
        // (Its fused relu is checked against Conv2D's in KernelAgreementTests: with it a bias probe here lands within ε of the kink.)
        ("depthwise asymmetric kernel, stride and padding",
         "input: [8, 6, 5]\nlayers:\n  - depthwise: {size: [3, 2], stride: [2, 1], pad: [1, 0, 0, 1]}\n"),
        ("depthwise stride 1: 4-pixel tiles inside, clipped ones at the borders", "input: [8, 6, 9]\nlayers:\n  - depthwise: {size: 3, pad: 1}\n"),
        ("depthwise 27 channels: a 16-channel block, an 8-channel block, a scalar tail",
         "input: [27, 5, 6]\nlayers:\n  - depthwise: {size: 3, pad: 1}\n"),
        ("depthwise multiplier 4: 16 filters from 4 channels (vector lanes)", "input: [4, 5, 5]\nlayers:\n  - depthwise: {size: 3, multiplier: 4, pad: 1}\n"),
        ("depthwise 5x5 wider than the image, multiplier 3", "input: [2, 3, 4]\nlayers:\n  - depthwise: {size: 5, multiplier: 3, pad: 2}\n"),
        ("dense over a multi-channel map", "input: [3, 2, 3]\nlayers:\n  - dense: {units: 4}\n"),
        // Branches, depthwise, separable, pyramid pooling (issue: beyond a straight stack).
        ("concat of three paths", """
            input: [3, 5, 5]
            layers:
              - concat:
                  - [conv: {filters: 2, size: 1}]
                  - [conv: {filters: 2, size: 3, pad: 1}, tanh]
                  - [maxpool: {size: 3, stride: 1, pad: 1}]
            """),
        ("concat with 16-channel Winograd branches and fused relu", """
            input: [16, 4, 4]
            layers:
              - concat:
                  - [conv: {filters: 16, size: 3, pad: 1}, relu]
                  - [conv: {filters: 8, size: 1}]
            """),
        ("residual, identity shortcut", "input: [3, 5, 5]\nlayers:\n  - residual: [conv: {filters: 3, size: 3, pad: 1}, tanh, conv: {filters: 3, size: 3, pad: 1}]\n"),
        ("residual with projection (stride 2, more channels)",
         "input: [2, 7, 7]\nlayers:\n  - residual: [conv: {filters: 4, size: 3, stride: 2, pad: 1}, sigmoid]\n"),
        ("residual inside concat", """
            input: [2, 4, 4]
            layers:
              - concat:
                  - [residual: [conv: {filters: 2, size: 3, pad: 1}]]
                  - [avgpool: {size: 2, stride: 1, pad: [0, 1, 0, 1]}]
            """),
        // The model-zoo blocks: user-written and identity shortcuts, squeeze_excite, channel_shuffle, slice.
        ("residual with a written shortcut (ResNet's downsample: strided 1x1 conv, batchnorm; training)", """
            input: [2, 6, 6]
            layers:
              - residual:
                  layers: [conv: {filters: 4, size: 3, stride: 2, pad: 1, bias: false}, batchnorm, tanh]
                  shortcut: [conv: {filters: 4, size: 1, stride: 2, bias: false}, batchnorm]
            """),
        ("residual with a two-conv shortcut and 'shortcut: identity' after it", """
            input: [3, 5, 5]
            layers:
              - residual: {layers: [conv: {filters: 2, size: 3}], shortcut: [conv: {filters: 2, size: 2}, tanh, conv: {filters: 2, size: 2}]}
              - residual: {layers: [conv: {filters: 2, size: 3, pad: 1}, sigmoid], shortcut: identity}
            """),
        ("squeeze_excite (relu, sigmoid) after a conv", "input: [2, 4, 4]\nlayers:\n  - conv: {filters: 4, size: 3, pad: 1}\n  - squeeze_excite: {squeeze: 3}\n"),
        // Weights of up to ±3 spread the excite conv's outputs over hardsigmoid's kinks at ±3.
        ("squeeze_excite (silu, hardsigmoid)",
         "input: [5, 3, 4]\nlayers:\n  - squeeze_excite: {squeeze: 2, activation: silu, gate: hardsigmoid, init: uniform(3)}\n"),
        ("channel_shuffle, 3 groups of 2, after a conv", "input: [2, 3, 3]\nlayers:\n  - conv: {filters: 6, size: 1}\n  - channel_shuffle: {groups: 3}\n"),
        ("slice of the middle channels, then a conv", "input: [5, 3, 3]\nlayers:\n  - slice: {channels: [1, 4]}\n  - conv: {filters: 2, size: 3, pad: 1}\n"),
        ("ShuffleNetV2 unit: split, concat, channel_shuffle", """
            input: [4, 4, 4]
            layers:
              - concat:
                  - [slice: {channels: [0, 2]}]
                  - [slice: {channels: [2, 4]}, conv: {filters: 2, size: 1}, relu, depthwise: {size: 3, pad: 1}, conv: {filters: 2, size: 1}]
              - channel_shuffle: {groups: 2}
            """),
        ("depthwise, multiplier 2", "input: [3, 5, 5]\nlayers:\n  - depthwise: {size: 3, multiplier: 2, pad: 1}\n"),
        ("separable", "input: [4, 5, 5]\nlayers:\n  - separable: {filters: 3, size: 3, stride: 2, pad: 1}\n"),
        ("spp max", "input: [2, 5, 6]\nlayers:\n  - spp: {levels: [1, 2, 3], mode: max}\n"),
        ("spp avg then dense", "input: [2, 5, 5]\nlayers:\n  - spp: {levels: [1, 2], mode: avg}\n  - dense: {units: 3}\n"),
        ("local", "input: [2, 5, 5]\nlayers:\n  - local: {filters: 2, size: 3, pad: 1}\n"),
        ("maxpool", "input: [2, 6, 6]\nlayers:\n  - maxpool: {size: 2}\n"),
        ("maxpool overlapping, padded", "input: [2, 7, 7]\nlayers:\n  - maxpool: {size: 3, stride: 2, pad: 1}\n"),
        ("avgpool", "input: [2, 6, 6]\nlayers:\n  - avgpool: {size: 2}\n"),
        ("avgpool padded", "input: [2, 5, 5]\nlayers:\n  - avgpool: {size: 3, stride: 2, pad: 1}\n"),
        ("globalavgpool", "input: [3, 4, 5]\nlayers:\n  - globalavgpool\n"),
        // ceil: windows that run past the input (the last row window is dropped on the 5-row axis).
        ("maxpool ceil, partial last windows", "input: [2, 5, 4]\nlayers:\n  - maxpool: {size: 2, stride: 2, pad: 1, ceil: true}\n"),
        ("avgpool ceil", "input: [2, 7, 6]\nlayers:\n  - avgpool: {size: 3, stride: 2, ceil: true}\n"),
        ("adaptivemaxpool, overlapping bins", "input: [2, 5, 4]\nlayers:\n  - adaptivemaxpool: {size: [3, 6]}\n"),
        ("adaptiveavgpool then dense", "input: [2, 5, 7]\nlayers:\n  - adaptiveavgpool: {size: [3, 4]}\n  - dense: {units: 3}\n"),
        ("flatten between conv and dense", "input: [3, 2, 3]\nlayers:\n  - conv: {filters: 2, size: 1}\n  - flatten\n  - dense: {units: 4}\n"),
        ("dense", "input: [2, 3, 3]\nlayers:\n  - dense: {units: 5}\n"),
        ("relu", "input: [2, 4, 4]\nlayers:\n  - conv: {filters: 2, size: 3}\n  - relu\n"),
        ("sigmoid", "input: [2, 4, 4]\nlayers:\n  - sigmoid\n"),
        ("tanh", "input: [2, 4, 4]\nlayers:\n  - tanh\n"),
        ("relu6 below 6", "input: [2, 4, 4]\nlayers:\n  - relu6\n"),
        // Weights of up to ±4 spread the conv's outputs over both kinks, 0 and 6.
        ("relu6 on both sides of 0 and 6", "input: [2, 4, 4]\nlayers:\n  - conv: {filters: 2, size: 3, init: uniform(4)}\n  - relu6\n"),
        ("relu6 fused into a direct conv and a batchnorm", "input: [2, 5, 5]\nlayers:\n  - conv: {filters: 8, size: 3, pad: 1, init: uniform(4)}\n  - relu6\n  - depthwise: {size: 3, pad: 1}\n  - batchnorm\n  - relu6\n"),
        ("identity", "input: [2, 4, 4]\nlayers:\n  - conv: {filters: 2, size: 3}\n  - identity\n"),
        ("leaky_relu", "input: [2, 4, 4]\nlayers:\n  - conv: {filters: 2, size: 3}\n  - leaky_relu: {slope: 0.1}\n"),
        ("silu", "input: [2, 4, 4]\nlayers:\n  - conv: {filters: 2, size: 3, init: uniform(2)}\n  - silu\n"),
        // Weights of up to ±4 spread the conv's outputs over both kinks, −3 and 3.
        ("hardswish on both sides of −3 and 3", "input: [2, 4, 4]\nlayers:\n  - conv: {filters: 2, size: 3, init: uniform(4)}\n  - hardswish\n"),
        ("hardsigmoid on both sides of −3 and 3", "input: [2, 4, 4]\nlayers:\n  - conv: {filters: 2, size: 3, init: uniform(4)}\n  - hardsigmoid\n"),
        ("gelu", "input: [2, 4, 4]\nlayers:\n  - conv: {filters: 2, size: 3, init: uniform(2)}\n  - gelu\n"),
        ("elu", "input: [2, 4, 4]\nlayers:\n  - conv: {filters: 2, size: 3, init: uniform(2)}\n  - elu: {alpha: 0.7}\n"),
        ("dropout (training)", "input: [2, 4, 4]\nlayers:\n  - dropout: {rate: 0.3}\n"),
        ("batchnorm after conv (training)", "input: [2, 4, 4]\nlayers:\n  - conv: {filters: 3, size: 3, pad: 1}\n  - batchnorm\n"),
        ("batchnorm after dense (training)", "input: [1, 3, 3]\nlayers:\n  - dense: {units: 4}\n  - batchnorm\n"),
        ("batchnorm and the relu it runs (training)",
         "input: [2, 4, 4]\nlayers:\n  - conv: {filters: 3, size: 3, pad: 1}\n  - batchnorm\n  - relu\n  - conv: {filters: 2, size: 3}\n"),
        // 12 channels: the kernels' 8-channel vector loop and their scalar tail.
        ("batchnorm and its relu over 12 channels (training)",
         "input: [2, 4, 4]\nlayers:\n  - conv: {filters: 12, size: 3, pad: 1}\n  - batchnorm\n  - relu\n  - conv: {filters: 2, size: 3}\n"),
        ("deepconv in miniature", """
            input: [1, 10, 10]
            layers:
              - conv: {filters: 3, size: 3, pad: 1}
              - relu
              - maxpool: {size: 2}
              - conv: {filters: 4, size: 3, pad: 2}
              - relu
              - maxpool: {size: 2}
              - dense: {units: 6}
              - relu
              - dropout: {rate: 0.5}
              - dense: {units: 3}
            """),
        ("dense, relu, dropout, logits and dropout after them (DeepConvNet's head)", """
            input: [2, 3, 3]
            layers:
              - dense: {units: 6}
              - relu
              - dropout: {rate: 0.5}
              - dense: {units: 4}
              - dropout: {rate: 0.5}
            """),
    ]

    @Test(arguments: cases)
    func backwardMatchesFiniteDifferences(name: String, yaml: String) throws {
        let report = try GradientCheck().run(yaml, batch: 3)
        #expect(report.checked > 0)
        #expect(report.failures.isEmpty, "\(name): \(report.failures.prefix(5))")
    }

    @Test func batchNormInferenceUsesRunningStatistics() throws {
        let report = try GradientCheck().run("input: [2, 4, 4]\nlayers:\n  - batchnorm\n", batch: 2, training: false)
        #expect(report.failures.isEmpty, "\(report.failures.prefix(5))")
        let fused = try GradientCheck().run("input: [2, 4, 4]\nlayers:\n  - batchnorm\n  - relu\n", batch: 2, training: false)
        #expect(fused.failures.isEmpty, "\(fused.failures.prefix(5))")
    }
}
