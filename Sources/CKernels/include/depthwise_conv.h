// Depthwise convolution kernels for channels-last (NHWC) images, one image per call.
//
// Channel c of the output reads channel c of the input only, so the vectorised dimension is the
// channel: 8 channels per ymm register, a scalar loop for C mod 8 (3×3 windows of dilation 1, stride 1 or 2, on
// C a multiple of 16 take 16 channels per zmm register where the AVX-512 build is on: same bits, see
// cnnc_avx512_kernels_enabled in direct_conv.h). The input is not padded: each output
// row and column clips its window to the image (zero padding), so no padded copy is ever made.
// Weights are [KH][KW][C]. `Window` is the geometry shared by the three kernels.
#ifndef CNNC_DEPTHWISE_CONV_H
#define CNNC_DEPTHWISE_CONV_H

#ifdef __cplusplus
extern "C" {
#endif

typedef struct {
    int H, W, C;          // input
    int OH, OW;           // output
    int KH, KW, sh, sw, dh, dw;
    int pt, pl;           // padding before the first row and column (the rest is implied by OH, OW)
} cnnc_depthwise_window;

/// y[oh][ow][c] = bias[c] + Σ_{kh,kw} x[oh·sh + kh·dh − pt][ow·sw + kw·dw − pl][c] · w[kh][kw][c] over the taps
/// inside the image, for oh in [oh0, oh1). bias may be NULL; relu: the fused activation (0 none, 1 relu, 2 relu6).
/// x points at input row x_row0 and y at output row y_row0 (0 and 0 for whole images): a band of rows [x_row0, …) of
/// the input is enough for the output rows whose windows lie in it (a fused block's band, `BottleneckFusion`).
void cnnc_depthwise_forward(const cnnc_depthwise_window *g, const float *x, int x_row0, const float *w, const float *bias,
                            float *y, int y_row0, int oh0, int oh1, int relu);

/// wg[kh][kw][c] += Σ_{oh,ow} x[…][c] · dy[oh][ow][c] (taps inside the image); bg[c] += Σ dy (bg may be NULL).
/// Each sum runs over one output row in registers, then is added to wg: the order is fixed.
void cnnc_depthwise_weight_gradient(const cnnc_depthwise_window *g, const float *x, const float *dy, float *wg, float *bg);

/// dx[…][c] += dy[oh][ow][c] · w[kh][kw][c] over the taps inside the image: the input gradient, scattered into
/// dx, which the caller has zeroed.
void cnnc_depthwise_input_gradient(const cnnc_depthwise_window *g, const float *dy, const float *w, float *dx);

#ifdef __cplusplus
}
#endif

#endif
