// Direct convolution kernels for channels-last (NHWC) images, one image per call.
//
// The hot loops of cnnc's conv layers: register-blocked AVX2 + FMA code (AVX-512 where the CPU has it and the
// filter count is a multiple of 16) that keeps a tile of outputs in vector registers and streams the window through it, so no im2col matrix is ever built.
// Every function requires the filter count (the vectorised dimension) to be a multiple of 8.
// Inputs are pre-padded (cnnc_pad_nhwc), so the loops carry no bounds checks.
#ifndef CNNC_DIRECT_CONV_H
#define CNNC_DIRECT_CONV_H

#ifdef __cplusplus
extern "C" {
#endif

/// Copies x [H][W][C] into xp [H+pt+pb][W+pl+pr][C] with zero borders (Wp = W+pl+pr, Hp = H+pt+pb).
void cnnc_pad_nhwc(const float *x, int H, int W, int C, int pt, int pl, float *xp, int Hp, int Wp);
/// The rows first..<end of that padded image, into xp [end − first][Wp][C].
void cnnc_pad_nhwc_rows(const float *x, int H, int W, int C, int pt, int pl, float *xp, int first, int end, int Wp);

/// y[oh][ow][f] = bias[f] + Σ_{kh,kw,c} xp[oh·sh + kh·dh][ow·sw + kw·dw][c] · w[kh][kw][c][f]
/// xp is the padded input (row length Wp·C); bias may be NULL; F % 8 == 0. w is in panel layout (cnnc_conv_panels):
/// [KH][KW][C][F] cut into panels of 64 filters, each [KH][KW][C][64] and contiguous, so that a tile streams one block of
/// memory (with the filters of a 512-filter conv 2 KiB apart, the kernel ran at a third of its speed); for F ≤ 64 it
/// is [KH][KW][C][F] itself.
/// residual: NULL, or a tensor laid out as y, added to each output before the activation (a residual block's shortcut:
/// the same bits as adding it afterwards, with cnnc_add_activate).
/// relu: the fused activation (activation.h: 0 none, 1 relu, 2 relu6), applied before the store, or-ed with
/// CNNC_STREAM_OUTPUTS to store y with non-temporal (streaming) stores, which skip reading each output line before
/// writing it and do not keep it in the caches: for outputs larger than the caches, which the next layer reads from
/// memory anyway. The flag is ignored where y is not 64-byte aligned.
enum { CNNC_STREAM_OUTPUTS = 0x100 };
void cnnc_conv_forward(const float *xp, int Wp, int C, const float *w, const float *bias, const float *residual,
                       float *y, int OH, int OW, int F, int KH, int KW, int sh, int sw, int dh, int dw, int relu);

/// w [taps][C][F] -> panels, the forward kernel's layout (above); F % 8 == 0.
void cnnc_conv_panels(const float *w, int taps, int C, int F, float *panels);

/// The width of the blocks cnnc_conv_forward_blocked reads: 16 filters (two AVX2 vectors), or 64 where the call runs
/// the AVX-512 build (F % 16 == 0 on a CPU with it).
int cnnc_conv_blocked_width(int F);
/// w [taps][C][F] -> block layout: blocks of cnnc_conv_blocked_width(F) filters [taps][C][width], one after another (the
/// last one narrower); F % 8 == 0.
void cnnc_conv_blocks(const float *w, int taps, int C, int F, float *blocks);
/// cnnc_conv_forward for filters first..< last only (multiples of the block width, or last = F), w in block layout: for
/// few pixels and many weights (a batch-1 pass of a 512 → 512 3×3 conv at 7×7), where the threads split the filters.
/// Each block's taps go through in chunks that stay in the L2 cache while every tile of pixels reads them, the partial
/// sums kept in y between chunks; the outputs are the same bits as cnnc_conv_forward's.
void cnnc_conv_forward_blocked(const float *xp, int Wp, int C, const float *w, const float *bias, float *y, int OH, int OW,
                               int F, int KH, int KW, int sh, int sw, int dh, int dw, int activation, int first, int last);

/// dw[kh][kw][c][f] += Σ_{oh,ow} xp[oh·sh + kh·dh][ow·sw + kw·dw][c] · dy[oh][ow][f]; F % 8 == 0.
/// db[f] += Σ dy[oh][ow][f] when db is not NULL.
void cnnc_conv_weight_gradient(const float *xp, int Wp, int C, const float *dy, int OH, int OW, int F,
                               int KH, int KW, int sh, int sw, int dh, int dw, float *dwt, float *db);

/// dy[k] = 0 where y[k] <= 0: the backward pass of a ReLU fused into the conv, in place.
void cnnc_relu_mask(const float *y, float *dy, int count);
/// y[k] = activation(a[k] + b[k]) (b may be NULL: activation(a[k])), in one pass; y may be a or b. Activation as above.
void cnnc_add_activate(const float *a, const float *b, float *y, long count, int activation);
/// dy[k] = 0 where !(0 < y[k] < 6): a fused relu6's backward, from its output (0 at y = 0 and y = 6 and for NaN).
void cnnc_relu6_mask(const float *y, float *dy, int count);

/// 1 when the CPU running this has AVX2 and FMA (the kernels' requirement).
int cnnc_cpu_has_avx2_fma(void);
/// 1 when the CPU has AVX-512F.
int cnnc_cpu_has_avx512f(void);
/// 1 when calls whose filter count is a multiple of 16 run the AVX-512 build of the direct and Winograd kernels (and
/// depthwise 3×3 rows whose channel count is a multiple of 16, depthwise_conv.h): by
/// default when the CPU has AVX-512F and the environment variable CNNC_KERNELS is not "avx2". Both builds give the
/// same bits for the same call; the setting also moves Conv2D's line between kernels, so a model built with it on and
/// one built with it off can differ in rounding.
int cnnc_avx512_kernels_enabled(void);
/// Turns the AVX-512 build on (only where the CPU has it) or off, for tests and benchmarks; returns the previous state.
int cnnc_set_avx512_kernels(int enabled);

#ifdef __cplusplus
}
#endif

#endif
