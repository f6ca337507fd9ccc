// Winograd F(2×2, 3×3) convolution for channels-last images (AVX2 + FMA), one image per call.
//
// Each 2×2 output tile comes from a 4×4 input patch: 16 multiplies per channel pair instead of 36.
// The input patches and filters are transformed once (Lavin & Gray, "Fast Algorithms for
// Convolutional Neural Networks", 2016), the 16 transformed positions become 16 small GEMMs over the
// channels, and the output transform folds bias and ReLU in. 3×3, stride 1, dilation 1 only;
// C and F multiples of 8.
#ifndef CNNC_WINOGRAD_H
#define CNNC_WINOGRAD_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/// u[16][C][F] = G·g·Gᵀ for each (c, f), from w[3][3][C][F] (the direct kernels' layout), for the pairs
/// k = c·F + f in [first, last) (threads split them; each pair's arithmetic is the same whatever the split).
void cnnc_winograd_filters(const float *w, int C, int F, size_t first, size_t last, float *u);

/// Floats of scratch cnnc_winograd_forward needs for an OH × OW output.
size_t cnnc_winograd_scratch_floats(int OH, int OW, int C, int F);

/// y[OH][OW][F] = bias + xp ⋆ w (3×3, stride 1), then the fused activation relu (0 none, 1 relu, 2 relu6). xp is the padded input
/// [Hp][Wp][C] with Hp ≥ 2·⌈OH/2⌉ + 2 and Wp ≥ 2·⌈OW/2⌉ + 2 (the extra row/column zero). bias may be NULL. residual:
/// NULL, or a tensor laid out as y, added before the activation (as cnnc_conv_forward's).
void cnnc_winograd_forward(const float *xp, int Wp, int C, const float *u, const float *bias, const float *residual, float *y,
                           int OH, int OW, int F, int relu, float *scratch);

#ifdef __cplusplus
}
#endif

#endif
