// The two layouts of a conv's weights: stored `[F][C][K]` (PyTorch's, K = KH·KW taps) and the kernels' `[K][C][F]`
// (each tap's channels a GEMM row of filters), for a training step's repacking of the weights and unpacking of their
// gradient. Both loops take a range of filters, so threads can split a conv's filters; every element's arithmetic is
// the same whatever the split.
#ifndef CNNC_FILTER_LAYOUT_H
#define CNNC_FILTER_LAYOUT_H

#ifdef __cplusplus
extern "C" {
#endif

/// dst[(k·C + c)·F + f] = src[(f·C + c)·K + k] · scale[f] (scale may be NULL: 1) for the filters f in [first, last).
void cnnc_pack_filters(const float *src, int F, int C, int K, const float *scale, int first, int last, float *dst);

/// dst[(f·C + c)·K + k] += ((parts[0][i] + parts[1][i]) + …) with i = (k·C + c)·F + f, the parts summed in order,
/// for the filters f in [first, last).
void cnnc_unpack_filter_gradient(const float *const *parts, int count, int F, int C, int K, int first, int last, float *dst);

/// dst[(k·F + f)·C + c] = src[(f·C + c)·K + K − 1 − k] for the filters f in [first, last): the filters rotated 180°
/// and transposed, `[K][F][C]`, the direct and Winograd input gradient's weights (ungrouped convs).
void cnnc_flip_filters(const float *src, int F, int C, int K, int first, int last, float *dst);

#ifdef __cplusplus
}
#endif

#endif
