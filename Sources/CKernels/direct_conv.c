// Direct NHWC convolution kernels (AVX2 + FMA, and AVX-512 where the CPU has it). See include/direct_conv.h.
//
// Tiles (vector_tiles.h): R output pixels × NV vectors of filters live in R·NV accumulators (6 × 2 = 12 of the 16
// ymm registers, 6 × 4 = 24 of the 32 zmm), each tap costs NV weight loads and R broadcasts for R·NV FMAs. The
// tile's pixels are consecutive in row-major order and each keeps its own input pointer, so a tile may wrap to the
// next output row and only the last P mod R pixels take a narrower tile.
#include "direct_conv.h"
#include "activation.h"
#include "kernel_variants.h"

#include <immintrin.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>


void cnnc_pad_nhwc_rows(const float *x, int H, int W, int C, int pt, int pl, float *xp, int first, int end, int Wp) {
    const size_t rowBytes = (size_t)W * C * sizeof(float);
    const size_t paddedRow = (size_t)Wp * C;
    for (int i = first; i < end; i++) {
        float *dst = xp + (size_t)(i - first) * paddedRow;
        const int y = i - pt;
        if (y < 0 || y >= H) {
            memset(dst, 0, paddedRow * sizeof(float));
            continue;
        }
        memset(dst, 0, (size_t)pl * C * sizeof(float));
        memcpy(dst + (size_t)pl * C, x + (size_t)y * W * C, rowBytes);
        const int right = Wp - pl - W;
        if (right > 0) memset(dst + (size_t)(pl + W) * C, 0, (size_t)right * C * sizeof(float));
    }
}

void cnnc_pad_nhwc(const float *x, int H, int W, int C, int pt, int pl, float *xp, int Hp, int Wp) {
    cnnc_pad_nhwc_rows(x, H, W, C, pt, pl, xp, 0, Hp, Wp);
}

// ---------------------------------------------------------------------------------------------
// The AVX2 build of the tiles (vector_tiles.h); direct_conv_avx512.c holds the AVX-512 one.

#define VEC __m256
#define LANES 8
#define MAX_NV 2
#define VLOAD _mm256_loadu_ps
#define VSTORE _mm256_storeu_ps
#define VSTREAM _mm256_stream_ps
#define VZERO _mm256_setzero_ps
#define VSET1 _mm256_set1_ps
#define VFMA _mm256_fmadd_ps
#define VADD _mm256_add_ps
#define VACTIVATE cnnc_activate8
#define TILE(name) name##_avx2
#include "vector_tiles.h"

/// w [taps][C][F] -> panels of `width` filters [taps][C][≤ width], one after another.
static void panels_of_width(const float *w, int taps, int C, int F, int width, float *panels) {
    const size_t rows = (size_t)taps * C;
    for (int panel = 0; panel < F; panel += width) {
        const int n = F - panel < width ? F - panel : width;
        float *out = panels + (size_t)panel * rows;
        for (size_t row = 0; row < rows; row++) memcpy(out + row * n, w + row * F + panel, (size_t)n * sizeof(float));
    }
}

void cnnc_conv_panels(const float *w, int taps, int C, int F, float *panels) {
    panels_of_width(w, taps, C, F, CNNC_PANEL, panels);
}

int cnnc_conv_blocked_width(int F) {
    return cnnc_uses_avx512(F) ? 64 : 16;
}

void cnnc_conv_blocks(const float *w, int taps, int C, int F, float *blocks) {
    panels_of_width(w, taps, C, F, cnnc_conv_blocked_width(F), blocks);
}

void cnnc_conv_forward_blocked(const float *xp, int Wp, int C, const float *w, const float *bias, float *y, int OH, int OW,
                               int F, int KH, int KW, int sh, int sw, int dh, int dw, int activation, int first, int last) {
    if (cnnc_uses_avx512(F))
        cnnc_conv_forward_blocked_avx512(xp, Wp, C, w, bias, y, OH, OW, F, KH, KW, sh, sw, dh, dw, activation, first, last);
    else cnnc_conv_forward_blocked_avx2(xp, Wp, C, w, bias, y, OH, OW, F, KH, KW, sh, sw, dh, dw, activation, first, last);
}

void cnnc_conv_forward(const float *xp, int Wp, int C, const float *w, const float *bias, const float *residual,
                       float *y, int OH, int OW, int F, int KH, int KW, int sh, int sw, int dh, int dw, int relu) {
    if (cnnc_uses_avx512(F)) cnnc_conv_forward_avx512(xp, Wp, C, w, bias, residual, y, OH, OW, F, KH, KW, sh, sw, dh, dw, relu);
    else cnnc_conv_forward_avx2(xp, Wp, C, w, bias, residual, y, OH, OW, F, KH, KW, sh, sw, dh, dw, relu);
}

void cnnc_conv_weight_gradient(const float *xp, int Wp, int C, const float *dy, int OH, int OW, int F,
                               int KH, int KW, int sh, int sw, int dh, int dw, float *dwt, float *db) {
    if (cnnc_uses_avx512(F)) cnnc_conv_weight_gradient_avx512(xp, Wp, C, dy, OH, OW, F, KH, KW, sh, sw, dh, dw, dwt);
    else cnnc_conv_weight_gradient_avx2(xp, Wp, C, dy, OH, OW, F, KH, KW, sh, sw, dh, dw, dwt);
    if (db) {
        const int P = OH * OW;
        for (int f = 0; f < F; f += 8) {
            __m256 s = _mm256_setzero_ps();
            for (int p = 0; p < P; p++) s = _mm256_add_ps(s, _mm256_loadu_ps(dy + (size_t)p * F + f));
            _mm256_storeu_ps(db + f, _mm256_add_ps(_mm256_loadu_ps(db + f), s));
        }
    }
}

void cnnc_add_activate(const float *a, const float *b, float *y, long count, int activation) {
    long k = 0;
    for (; k + 8 <= count; k += 8) {
        const __m256 v = b ? _mm256_add_ps(_mm256_loadu_ps(a + k), _mm256_loadu_ps(b + k)) : _mm256_loadu_ps(a + k);
        _mm256_storeu_ps(y + k, cnnc_activate8(v, activation));
    }
    for (; k < count; k++) y[k] = cnnc_activate1(b ? a[k] + b[k] : a[k], activation);
}

void cnnc_relu6_mask(const float *y, float *dy, int count) {
    int k = 0;
    const __m256 six = _mm256_set1_ps(6.0f);
    for (; k + 8 <= count; k += 8) {
        const __m256 v = _mm256_loadu_ps(y + k);
        const __m256 inside = _mm256_and_ps(_mm256_cmp_ps(v, _mm256_setzero_ps(), _CMP_GT_OQ), _mm256_cmp_ps(v, six, _CMP_LT_OQ));
        _mm256_storeu_ps(dy + k, _mm256_and_ps(_mm256_loadu_ps(dy + k), inside));
    }
    for (; k < count; k++) if (!(y[k] > 0 && y[k] < 6)) dy[k] = 0;
}

void cnnc_relu_mask(const float *y, float *dy, int count) {
    int k = 0;
    for (; k + 8 <= count; k += 8) {
        const __m256 positive = _mm256_cmp_ps(_mm256_loadu_ps(y + k), _mm256_setzero_ps(), _CMP_GT_OQ);
        _mm256_storeu_ps(dy + k, _mm256_and_ps(_mm256_loadu_ps(dy + k), positive));
    }
    for (; k < count; k++) if (!(y[k] > 0)) dy[k] = 0;
}

int cnnc_cpu_has_avx2_fma(void) {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
}

int cnnc_cpu_has_avx512f(void) {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx512f");
}

// -1: not decided yet; then 0 or 1. Decided once, from the CPU and CNNC_KERNELS (kernel_variants.h).
static int avx512Kernels = -1;

int cnnc_avx512_kernels_enabled(void) {
    int enabled = __atomic_load_n(&avx512Kernels, __ATOMIC_RELAXED);
    if (enabled < 0) {
        const char *choice = getenv("CNNC_KERNELS");
        enabled = cnnc_cpu_has_avx512f() && !(choice && strcmp(choice, "avx2") == 0);
        __atomic_store_n(&avx512Kernels, enabled, __ATOMIC_RELAXED);
    }
    return enabled;
}

int cnnc_set_avx512_kernels(int enabled) {
    const int previous = cnnc_avx512_kernels_enabled();
    __atomic_store_n(&avx512Kernels, enabled && cnnc_cpu_has_avx512f(), __ATOMIC_RELAXED);
    return previous;
}
