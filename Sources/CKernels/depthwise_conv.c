// Depthwise NHWC convolution kernels (AVX2 + FMA; the forward pass's 3×3 tiles also in AVX-512). See
// include/depthwise_conv.h.
//
// Forward: 3×3 windows of dilation 1 and stride 1 or 2 with C a multiple of 8 (MobileNet's) take depthwise_tiles.h's
// rows: a vector of channels at a time, its weights in registers, each input pixel loaded once for every output that
// reads it. Other windows take the general tile: up to 4 output pixels of one row × 16 channels in 8 ymm accumulators
// (then × 8 channels in 4); each tap costs 2 weight loads and 8 input loads for 8 FMAs. Pixels whose window lies
// inside the image in width take 4-pixel tiles; the few at the borders take 1-pixel tiles over their clipped window.
// The weight gradient sums one output row per tap in 4 independent accumulators (the FMA latency),
// then adds the row's sum to wg. The input gradient scatters dy·w through each tap's valid columns.
#include "depthwise_conv.h"
#include "activation.h"
#include "kernel_variants.h"

#include <immintrin.h>
#include <stddef.h>

// The 3×3 rows' tiles, AVX2 build: 8 channels a vector, tiles of 4 pixels (4 accumulators, 9 weights and the input
// vector in 14 of the 16 ymm registers).
#define VEC __m256
#define LANES 8
#define PIXELS 4
#define VLOAD _mm256_loadu_ps
#define VSTORE _mm256_storeu_ps
#define VSET1 _mm256_set1_ps
#define VFMA _mm256_fmadd_ps
#define VACTIVATE cnnc_activate8
#define TILE(name) name##_avx2
#include "depthwise_tiles.h"

/// The taps k in [*lo, *hi) for which start + k·d lies in [0, size).
ALWAYS_INLINE void valid_taps(int start, int K, int d, int size, int *lo, int *hi) {
    int l = start >= 0 ? 0 : (-start + d - 1) / d;
    int h = start > size - 1 ? 0 : (size - 1 - start) / d + 1;
    if (h > K) h = K;
    if (l > h) l = h;
    *lo = l;
    *hi = h;
}

/// The outputs o in [*lo, *hi) (of n) whose input o·s + offset lies in [0, size).
ALWAYS_INLINE void valid_outputs(int offset, int s, int n, int size, int *lo, int *hi) {
    int l = offset >= 0 ? 0 : (-offset + s - 1) / s;
    int h = offset > size - 1 ? 0 : (size - 1 - offset) / s + 1;
    if (h > n) h = n;
    if (l > h) l = h;
    *lo = l;
    *hi = h;
}

// x: the input under the first valid tap of the tile's first pixel; w: that tap's weights.
ALWAYS_INLINE void forward_tile(const int R, const float *x, size_t pixelStride, const float *w, size_t weightRow,
                                int nkh, int nkw, size_t rowStep, size_t colStep, const float *bias, float *y, int C, int relu) {
    int c = 0;
    // 16 channels at a time: 2R accumulators, so the FMAs of one tap do not wait for the previous tap's (4 cycles).
    for (; c + 16 <= C; c += 16) {
        __m256 acc[4], acd[4];
        const __m256 b = bias ? _mm256_loadu_ps(bias + c) : _mm256_setzero_ps();
        const __m256 d = bias ? _mm256_loadu_ps(bias + c + 8) : _mm256_setzero_ps();
        for (int r = 0; r < R; r++) acc[r] = b, acd[r] = d;
        for (int kh = 0; kh < nkh; kh++) {
            const float *xr = x + kh * rowStep + c, *wr = w + kh * weightRow + c;
            for (int kw = 0; kw < nkw; kw++) {
                const __m256 wv = _mm256_loadu_ps(wr + (size_t)kw * C), wu = _mm256_loadu_ps(wr + (size_t)kw * C + 8);
                const float *xt = xr + kw * colStep;
                for (int r = 0; r < R; r++) {
                    acc[r] = _mm256_fmadd_ps(_mm256_loadu_ps(xt + r * pixelStride), wv, acc[r]);
                    acd[r] = _mm256_fmadd_ps(_mm256_loadu_ps(xt + r * pixelStride + 8), wu, acd[r]);
                }
            }
        }
        for (int r = 0; r < R; r++) {
            _mm256_storeu_ps(y + (size_t)r * C + c, cnnc_activate8(acc[r], relu));
            _mm256_storeu_ps(y + (size_t)r * C + c + 8, cnnc_activate8(acd[r], relu));
        }
    }
    for (; c + 8 <= C; c += 8) {
        __m256 acc[4];
        const __m256 b = bias ? _mm256_loadu_ps(bias + c) : _mm256_setzero_ps();
        for (int r = 0; r < R; r++) acc[r] = b;
        for (int kh = 0; kh < nkh; kh++) {
            const float *xr = x + kh * rowStep + c, *wr = w + kh * weightRow + c;
            for (int kw = 0; kw < nkw; kw++) {
                const __m256 wv = _mm256_loadu_ps(wr + (size_t)kw * C);
                const float *xt = xr + kw * colStep;
                for (int r = 0; r < R; r++) acc[r] = _mm256_fmadd_ps(_mm256_loadu_ps(xt + r * pixelStride), wv, acc[r]);
            }
        }
        for (int r = 0; r < R; r++) {
            acc[r] = cnnc_activate8(acc[r], relu);
            _mm256_storeu_ps(y + (size_t)r * C + c, acc[r]);
        }
    }
    for (; c < C; c++) {
        for (int r = 0; r < R; r++) {
            float sum = bias ? bias[c] : 0.0f;
            for (int kh = 0; kh < nkh; kh++)
                for (int kw = 0; kw < nkw; kw++)
                    sum += x[kh * rowStep + kw * colStep + r * pixelStride + c] * w[kh * weightRow + (size_t)kw * C + c];
            sum = cnnc_activate1(sum, relu);
            y[(size_t)r * C + c] = sum;
        }
    }
}

void cnnc_depthwise_forward(const cnnc_depthwise_window *g, const float *x, int x_row0, const float *w, const float *bias,
                            float *y, int y_row0, int oh0, int oh1, int relu) {
    const int C = g->C, W = g->W;
    const size_t row = (size_t)W * C, pixelStride = (size_t)g->sw * C, weightRow = (size_t)g->KW * C;
    const size_t rowStep = (size_t)g->dh * row, colStep = (size_t)g->dw * C;
    // 3×3 windows of dilation 1 and stride 1 or 2 (MobileNet's), whole vectors of channels: the 3×3 kernel's tiles.
    const int avx512 = C % 16 == 0 && cnnc_avx512_kernels_enabled();
    const int fast3x3 = g->KH == 3 && g->KW == 3 && g->dh == 1 && g->dw == 1 && (g->sw == 1 || g->sw == 2)
        && C % 8 == 0;
    // Columns whose whole window lies inside the image: [inLo, inHi).
    int inLo, inHi;
    valid_outputs(-g->pl, g->sw, g->OW, W - (g->KW - 1) * g->dw, &inLo, &inHi);
    for (int oh = oh0; oh < oh1; oh++) {
        const int ih0 = oh * g->sh - g->pt;
        int khLo, khHi;
        valid_taps(ih0, g->KH, g->dh, g->H, &khLo, &khHi);
        const float *xrow = x + (ptrdiff_t)(ih0 + khLo * g->dh - x_row0) * (ptrdiff_t)row;
        const float *wrow = w + khLo * weightRow;
        float *yrow = y + (size_t)(oh - y_row0) * g->OW * C;
        const int nkh = khHi - khLo;
        int ow = 0;
        if (fast3x3) {
            if (avx512) cnnc_depthwise3x3_row_avx512(xrow, row, W, C, g->OW, g->sw, g->pl, w, bias, khLo, khHi, yrow, inLo, inHi, relu);
            else cnnc_depthwise3x3_row_avx2(xrow, row, W, C, g->OW, g->sw, g->pl, w, bias, khLo, khHi, yrow, inLo, inHi, relu);
            continue;
        }
        while (ow < g->OW) {
            if (ow >= inLo && ow + 4 <= inHi) {
                // Inside the image in width: 4 pixels at a time.
                forward_tile(4, xrow + (size_t)(ow * g->sw - g->pl) * C, pixelStride, wrow, weightRow, nkh, g->KW,
                             rowStep, colStep, bias, yrow + (size_t)ow * C, C, relu);
                ow += 4;
                continue;
            }
            const int iw0 = ow * g->sw - g->pl;
            int kwLo, kwHi;
            valid_taps(iw0, g->KW, g->dw, W, &kwLo, &kwHi);
            forward_tile(1, xrow + (ptrdiff_t)(iw0 + kwLo * g->dw) * C, pixelStride, wrow + (size_t)kwLo * C, weightRow,
                         nkh, kwHi - kwLo, rowStep, colStep, bias, yrow + (size_t)ow * C, C, relu);
            ow++;
        }
    }
}

void cnnc_depthwise_weight_gradient(const cnnc_depthwise_window *g, const float *x, const float *dy, float *wg, float *bg) {
    const int C = g->C, W = g->W, OW = g->OW;
    const size_t row = (size_t)W * C, pixelStride = (size_t)g->sw * C;
    for (int oh = 0; oh < g->OH; oh++) {
        const float *dyrow = dy + (size_t)oh * OW * C;
        const int ih0 = oh * g->sh - g->pt;
        int khLo, khHi;
        valid_taps(ih0, g->KH, g->dh, g->H, &khLo, &khHi);
        for (int kh = khLo; kh < khHi; kh++) {
            const float *xrow = x + (size_t)(ih0 + kh * g->dh) * row;
            for (int kw = 0; kw < g->KW; kw++) {
                const int offset = kw * g->dw - g->pl;
                int lo, hi;
                valid_outputs(offset, g->sw, OW, W, &lo, &hi);
                if (lo >= hi) continue;
                const float *xs = xrow + (ptrdiff_t)(lo * g->sw + offset) * C, *gs = dyrow + (size_t)lo * C;
                const int n = hi - lo;
                float *target = wg + ((size_t)kh * g->KW + kw) * C;
                int c = 0;
                for (; c + 8 <= C; c += 8) {
                    __m256 a0 = _mm256_setzero_ps(), a1 = a0, a2 = a0, a3 = a0;
                    const float *xc = xs + c, *gc = gs + c;
                    int i = 0;
                    for (; i + 4 <= n; i += 4) {
                        a0 = _mm256_fmadd_ps(_mm256_loadu_ps(xc + i * pixelStride), _mm256_loadu_ps(gc + (size_t)i * C), a0);
                        a1 = _mm256_fmadd_ps(_mm256_loadu_ps(xc + (i + 1) * pixelStride), _mm256_loadu_ps(gc + (size_t)(i + 1) * C), a1);
                        a2 = _mm256_fmadd_ps(_mm256_loadu_ps(xc + (i + 2) * pixelStride), _mm256_loadu_ps(gc + (size_t)(i + 2) * C), a2);
                        a3 = _mm256_fmadd_ps(_mm256_loadu_ps(xc + (i + 3) * pixelStride), _mm256_loadu_ps(gc + (size_t)(i + 3) * C), a3);
                    }
                    for (; i < n; i++)
                        a0 = _mm256_fmadd_ps(_mm256_loadu_ps(xc + i * pixelStride), _mm256_loadu_ps(gc + (size_t)i * C), a0);
                    const __m256 sum = _mm256_add_ps(_mm256_add_ps(a0, a1), _mm256_add_ps(a2, a3));
                    _mm256_storeu_ps(target + c, _mm256_add_ps(_mm256_loadu_ps(target + c), sum));
                }
                for (; c < C; c++) {
                    float sum = 0.0f;
                    for (int i = 0; i < n; i++) sum += xs[i * pixelStride + c] * gs[(size_t)i * C + c];
                    target[c] += sum;
                }
            }
        }
        if (bg) {
            int c = 0;
            for (; c + 8 <= C; c += 8) {
                __m256 s = _mm256_setzero_ps();
                for (int ow = 0; ow < OW; ow++) s = _mm256_add_ps(s, _mm256_loadu_ps(dyrow + (size_t)ow * C + c));
                _mm256_storeu_ps(bg + c, _mm256_add_ps(_mm256_loadu_ps(bg + c), s));
            }
            for (; c < C; c++) {
                float s = 0.0f;
                for (int ow = 0; ow < OW; ow++) s += dyrow[(size_t)ow * C + c];
                bg[c] += s;
            }
        }
    }
}

void cnnc_depthwise_input_gradient(const cnnc_depthwise_window *g, const float *dy, const float *w, float *dx) {
    const int C = g->C, W = g->W, OW = g->OW;
    const size_t row = (size_t)W * C, pixelStride = (size_t)g->sw * C;
    for (int oh = 0; oh < g->OH; oh++) {
        const float *dyrow = dy + (size_t)oh * OW * C;
        const int ih0 = oh * g->sh - g->pt;
        int khLo, khHi;
        valid_taps(ih0, g->KH, g->dh, g->H, &khLo, &khHi);
        for (int kh = khLo; kh < khHi; kh++) {
            float *dxrow = dx + (size_t)(ih0 + kh * g->dh) * row;
            for (int kw = 0; kw < g->KW; kw++) {
                const int offset = kw * g->dw - g->pl;
                int lo, hi;
                valid_outputs(offset, g->sw, OW, W, &lo, &hi);
                if (lo >= hi) continue;
                float *ds = dxrow + (ptrdiff_t)(lo * g->sw + offset) * C;
                const float *gs = dyrow + (size_t)lo * C, *wt = w + ((size_t)kh * g->KW + kw) * C;
                const int n = hi - lo;
                int c = 0;
                for (; c + 8 <= C; c += 8) {
                    const __m256 wv = _mm256_loadu_ps(wt + c);
                    float *dc = ds + c;
                    const float *gc = gs + c;
                    for (int i = 0; i < n; i++) {
                        float *p = dc + i * pixelStride;
                        _mm256_storeu_ps(p, _mm256_fmadd_ps(_mm256_loadu_ps(gc + (size_t)i * C), wv, _mm256_loadu_ps(p)));
                    }
                }
                for (; c < C; c++)
                    for (int i = 0; i < n; i++) ds[i * pixelStride + c] += gs[(size_t)i * C + c] * wt[c];
            }
        }
    }
}
