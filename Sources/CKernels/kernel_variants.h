// The two builds of vector_tiles.h, and the choice between them. Internal to CKernels.
#ifndef CNNC_KERNEL_VARIANTS_H
#define CNNC_KERNEL_VARIANTS_H

#include <stddef.h>

#define ALWAYS_INLINE static inline __attribute__((always_inline))

/// Filters per weight panel of the direct forward kernel (direct_conv.h).
#define CNNC_PANEL 64

/// A panel of at most this many bytes of weights is swept pixels outside (vector_tiles.h, forward_by_pixels):
/// MobileNetV2's 1×1 expansions (16–160 channels in) ran 1.2–1.9× faster so (Benchmarks/NOTES.md, change 25).
#define CNNC_PIXELS_OUTER_BYTES 65536

/// A 1×1 conv of at most this many bytes of weights, whose inputs and outputs are more than this many bytes, is swept
/// tile by tile of pixels, every filter of each tile before the next (vector_tiles.h, forward_by_pixels): ResNet-50's
/// 64 → 256 convs at 56×56 ran 1.25–1.5× faster so in the AVX2 build, 1.0–1.05× in the AVX-512 one; MobileNetV2's fused
/// blocks, whose bands of rows stay in the L2 cache, ran ~5% slower, so they keep the panel order (change 35).
#define CNNC_TILES_OUTER_BYTES (512 * 1024)

/// The blocked forward kernel (vector_tiles.h, cnnc_conv_forward_blocked) streams a block's taps in chunks of about this
/// many bytes of weights, each read from the L2 cache by every tile of pixels (ResNet's 512 → 512 3×3 convs at 7×7 ran
/// 3–10% faster with 64 KiB than with 32, 128 or 256 KiB chunks on a Zen 3 core's 512 KiB L2; Benchmarks/NOTES.md,
/// change 31).
#define CNNC_CHUNK_BYTES 65536

/// Winograd's transformed filters of at most this many bytes stay in the L2 cache while blocks of 6 tiles go through
/// (winograd.c); larger ones (256 → 256: 4 MiB) take groups of up to 48 tiles, so that each of the 16 GEMMs reads them
/// once per group. With a 512 KiB line, 128 → 128's 1 MiB ran 5–10% slower grouped on a Zen 4 core's 1 MiB L2
/// (Benchmarks/NOTES.md, change 38). MemoryBudget.winogradTiles counts the scratch with the same rule.
#define CNNC_WINOGRAD_GROUP_BYTES (1024 * 1024)

// AVX2 (direct_conv.c): F a multiple of 8. AVX-512 (direct_conv_avx512.c): F a multiple of 16, and only on a CPU
// with AVX-512F (cnnc_avx512_kernels_enabled).
void cnnc_conv_forward_avx2(const float *xp, int Wp, int C, const float *w, const float *bias, const float *residual, float *y,
                            int OH, int OW, int F, int KH, int KW, int sh, int sw, int dh, int dw, int activation);
void cnnc_conv_forward_avx512(const float *xp, int Wp, int C, const float *w, const float *bias, const float *residual, float *y,
                              int OH, int OW, int F, int KH, int KW, int sh, int sw, int dh, int dw, int activation);
void cnnc_conv_forward_blocked_avx2(const float *xp, int Wp, int C, const float *w, const float *bias, float *y, int OH,
                                    int OW, int F, int KH, int KW, int sh, int sw, int dh, int dw, int activation, int first, int last);
void cnnc_conv_forward_blocked_avx512(const float *xp, int Wp, int C, const float *w, const float *bias, float *y, int OH,
                                      int OW, int F, int KH, int KW, int sh, int sw, int dh, int dw, int activation, int first,
                                      int last);
void cnnc_conv_weight_gradient_avx2(const float *xp, int Wp, int C, const float *dy, int OH, int OW, int F,
                                    int KH, int KW, int sh, int sw, int dh, int dw, float *dwt);
void cnnc_conv_weight_gradient_avx512(const float *xp, int Wp, int C, const float *dy, int OH, int OW, int F,
                                      int KH, int KW, int sh, int sw, int dh, int dw, float *dwt);
void cnnc_winograd_gemm_avx2(int T, const float *V, size_t vPlane, int C, const float *u, int F, float *M, size_t mPlane);
void cnnc_winograd_gemm_avx512(int T, const float *V, size_t vPlane, int C, const float *u, int F, float *M, size_t mPlane);

void cnnc_depthwise3x3_row_avx2(const float *x, size_t row, int W, int C, int OW, int stride, int pl, const float *w,
                                const float *bias, int khLo, int khHi, float *y, int lo, int hi, int relu);
void cnnc_depthwise3x3_row_avx512(const float *x, size_t row, int W, int C, int OW, int stride, int pl, const float *w,
                                  const float *bias, int khLo, int khHi, float *y, int lo, int hi, int relu);

int cnnc_avx512_kernels_enabled(void);  // direct_conv.h

/// Whether a call whose vectorised dimension is F runs the AVX-512 build.
static inline int cnnc_uses_avx512(int F) {
    return F % 16 == 0 && cnnc_avx512_kernels_enabled();
}

#endif
