// Direct NHWC convolution kernels (AVX2 + FMA). See include/direct_conv.h.
//
// Tiles: R output pixels × NV·8 filters live in R·NV ymm accumulators (6 × 2 = 12 of the 16
// registers), each tap costs NV weight loads and R broadcasts for R·NV FMAs. The tile's pixels are
// consecutive in row-major order and each keeps its own input pointer, so a tile may wrap to the
// next output row and only the last P mod R pixels take a narrower tile.
#include "direct_conv.h"
#include "activation.h"

#include <immintrin.h>
#include <string.h>

#define ALWAYS_INLINE static inline __attribute__((always_inline))

void cnnc_pad_nhwc(const float *x, int H, int W, int C, int pt, int pl, float *xp, int Hp, int Wp) {
    const size_t rowBytes = (size_t)W * C * sizeof(float);
    const size_t paddedRow = (size_t)Wp * C;
    for (int i = 0; i < Hp; i++) {
        float *dst = xp + i * paddedRow;
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

// ---------------------------------------------------------------------------------------------
// Forward: one tile of R pixels (input pointers xs[r], window's top-left) × NV·8 filters.

ALWAYS_INLINE void forward_tile(const int R, const int NV, const float *const *xs, const float *w, const float *bias,
                                float *const *ys, int C, int F, int KH, int KW, size_t tapRowStride, size_t tapColStride,
                                int relu) {
    // Here C is the inner loop's length and KW the taps outside it: with dilation 1 along the width a
    // window row's KW·C values are contiguous (channels-last), and the caller passes KW = 1, C = KW·C.
    __m256 acc[6][2];
    for (int r = 0; r < R; r++)
        for (int v = 0; v < NV; v++) acc[r][v] = bias ? _mm256_loadu_ps(bias + 8 * v) : _mm256_setzero_ps();
    for (int kh = 0; kh < KH; kh++) {
        for (int kw = 0; kw < KW; kw++) {
            const size_t tap = kh * tapRowStride + kw * tapColStride;
            const float *wr = w + (size_t)(kh * KW + kw) * C * F;
            const float *x0 = xs[0] + tap, *x1 = R > 1 ? xs[1] + tap : 0, *x2 = R > 2 ? xs[2] + tap : 0;
            const float *x3 = R > 3 ? xs[3] + tap : 0, *x4 = R > 4 ? xs[4] + tap : 0, *x5 = R > 5 ? xs[5] + tap : 0;
            for (int c = 0; c < C; c++) {
                __m256 wv[2];
                for (int v = 0; v < NV; v++) wv[v] = _mm256_loadu_ps(wr + (size_t)c * F + 8 * v);
                const float *xr[6] = {x0, x1, x2, x3, x4, x5};
                for (int r = 0; r < R; r++) {
                    const __m256 xv = _mm256_broadcast_ss(xr[r] + c);
                    for (int v = 0; v < NV; v++) acc[r][v] = _mm256_fmadd_ps(xv, wv[v], acc[r][v]);
                }
            }
        }
    }
    if (relu)
        for (int r = 0; r < R; r++)
            for (int v = 0; v < NV; v++) acc[r][v] = cnnc_activate8(acc[r][v], relu);
    for (int r = 0; r < R; r++)
        for (int v = 0; v < NV; v++) _mm256_storeu_ps(ys[r] + 8 * v, acc[r][v]);
}

ALWAYS_INLINE void forward_block(const int NV, int fbStart, int fbEnd, const float *xp, int Wp, int C, const float *w,
                                 const float *bias, float *y, int OH, int OW, int F, int KH, int KW, int sh, int sw, int dh, int dw,
                                 int relu) {
    const size_t tapRowStride = (size_t)dh * Wp * C, tapColStride = (size_t)dw * C;
    const int inner = dw == 1 ? KW * C : C, outerKW = dw == 1 ? 1 : KW;
    const int P = OH * OW;
    for (int fb = fbStart; fb < fbEnd; fb += 8 * NV) {
        const float *wf = w + fb;
        const float *bf = bias ? bias + fb : 0;
        for (int p = 0; p < P; p += 6) {
            const float *xs[6];
            float *ys[6];
            const int R = P - p < 6 ? P - p : 6;
            for (int r = 0; r < R; r++) {
                const int oh = (p + r) / OW, ow = (p + r) % OW;
                xs[r] = xp + ((size_t)oh * sh * Wp + (size_t)ow * sw) * C;
                ys[r] = y + (size_t)(p + r) * F + fb;
            }
            switch (R) {
            case 6: forward_tile(6, NV, xs, wf, bf, ys, inner, F, KH, outerKW, tapRowStride, tapColStride, relu); break;
            case 5: forward_tile(5, NV, xs, wf, bf, ys, inner, F, KH, outerKW, tapRowStride, tapColStride, relu); break;
            case 4: forward_tile(4, NV, xs, wf, bf, ys, inner, F, KH, outerKW, tapRowStride, tapColStride, relu); break;
            case 3: forward_tile(3, NV, xs, wf, bf, ys, inner, F, KH, outerKW, tapRowStride, tapColStride, relu); break;
            case 2: forward_tile(2, NV, xs, wf, bf, ys, inner, F, KH, outerKW, tapRowStride, tapColStride, relu); break;
            default: forward_tile(1, NV, xs, wf, bf, ys, inner, F, KH, outerKW, tapRowStride, tapColStride, relu); break;
            }
        }
    }
}

void cnnc_conv_forward(const float *xp, int Wp, int C, const float *w, const float *bias,
                       float *y, int OH, int OW, int F, int KH, int KW, int sh, int sw, int dh, int dw, int relu) {
    // Blocks of 16 filters, then one of 8 when F mod 16 == 8.
    const int F16 = F / 16 * 16;
    if (F16 > 0) forward_block(2, 0, F16, xp, Wp, C, w, bias, y, OH, OW, F, KH, KW, sh, sw, dh, dw, relu);
    if (F16 < F) forward_block(1, F16, F, xp, Wp, C, w, bias, y, OH, OW, F, KH, KW, sh, sw, dh, dw, relu);
}

// ---------------------------------------------------------------------------------------------
// Weight gradient: for each tap (kh, kw), a tile of CB input channels × NV·8 filters accumulates
// x ⊗ dy over every output pixel, then adds into dw once.

ALWAYS_INLINE void weight_tile(const int CB, const int NV, const float *xp, const float *dy, int OH, int OW, int F,
                               size_t rowStep, size_t colStep, float *dwt) {
    __m256 acc[6][2];
    for (int c = 0; c < CB; c++)
        for (int v = 0; v < NV; v++) acc[c][v] = _mm256_setzero_ps();
    for (int oh = 0; oh < OH; oh++) {
        const float *xr = xp + oh * rowStep;
        const float *dr = dy + (size_t)oh * OW * F;
        for (int ow = 0; ow < OW; ow++) {
            __m256 d[2];
            for (int v = 0; v < NV; v++) d[v] = _mm256_loadu_ps(dr + (size_t)ow * F + 8 * v);
            const float *xc = xr + ow * colStep;
            for (int c = 0; c < CB; c++) {
                const __m256 xv = _mm256_broadcast_ss(xc + c);
                for (int v = 0; v < NV; v++) acc[c][v] = _mm256_fmadd_ps(xv, d[v], acc[c][v]);
            }
        }
    }
    for (int c = 0; c < CB; c++)
        for (int v = 0; v < NV; v++) {
            float *out = dwt + (size_t)c * F + 8 * v;
            _mm256_storeu_ps(out, _mm256_add_ps(_mm256_loadu_ps(out), acc[c][v]));
        }
}

ALWAYS_INLINE void weight_taps(const int NV, int fb, const float *xp, int Wp, int C, const float *dy, int OH, int OW, int F,
                               int KH, int KW, int sh, int sw, int dh, int dw, float *dwt) {
    const size_t rowStep = (size_t)sh * Wp * C, colStep = (size_t)sw * C;
    // With dilation 1 along the width, a window row's KW·C values are contiguous: one run of taps.
    const int inner = dw == 1 ? KW * C : C, outerKW = dw == 1 ? 1 : KW;
    for (int kh = 0; kh < KH; kh++) {
        for (int kw = 0; kw < outerKW; kw++) {
            const float *xt = xp + ((size_t)kh * dh * Wp + (size_t)kw * dw) * C;
            float *dt = dwt + (size_t)(kh * outerKW + kw) * inner * F + fb;
            int c = 0;
            for (; c + 6 <= inner; c += 6) weight_tile(6, NV, xt + c, dy + fb, OH, OW, F, rowStep, colStep, dt + (size_t)c * F);
            switch (inner - c) {
            case 5: weight_tile(5, NV, xt + c, dy + fb, OH, OW, F, rowStep, colStep, dt + (size_t)c * F); break;
            case 4: weight_tile(4, NV, xt + c, dy + fb, OH, OW, F, rowStep, colStep, dt + (size_t)c * F); break;
            case 3: weight_tile(3, NV, xt + c, dy + fb, OH, OW, F, rowStep, colStep, dt + (size_t)c * F); break;
            case 2: weight_tile(2, NV, xt + c, dy + fb, OH, OW, F, rowStep, colStep, dt + (size_t)c * F); break;
            case 1: weight_tile(1, NV, xt + c, dy + fb, OH, OW, F, rowStep, colStep, dt + (size_t)c * F); break;
            default: break;
            }
        }
    }
}

void cnnc_conv_weight_gradient(const float *xp, int Wp, int C, const float *dy, int OH, int OW, int F,
                               int KH, int KW, int sh, int sw, int dh, int dw, float *dwt, float *db) {
    int fb = 0;
    for (; fb + 16 <= F; fb += 16) weight_taps(2, fb, xp, Wp, C, dy, OH, OW, F, KH, KW, sh, sw, dh, dw, dwt);
    if (fb < F) weight_taps(1, fb, xp, Wp, C, dy, OH, OW, F, KH, KW, sh, sw, dh, dw, dwt);
    if (db) {
        const int P = OH * OW;
        for (int f = 0; f < F; f += 8) {
            __m256 s = _mm256_setzero_ps();
            for (int p = 0; p < P; p++) s = _mm256_add_ps(s, _mm256_loadu_ps(dy + (size_t)p * F + f));
            _mm256_storeu_ps(db + f, _mm256_add_ps(_mm256_loadu_ps(db + f), s));
        }
    }
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
