// Channels-last batch normalisation: each row is one pixel's C channels, so channel c of every row
// shares the same per-channel constants; eight channels per register when C is a multiple of 8.
#include "batch_norm.h"
#include "activation.h"

#include <immintrin.h>

void cnnc_channel_sum(const float *x, int rows, int C, float *sum) {
    int c = 0;
    for (; c + 8 <= C; c += 8) {
        __m256 s = _mm256_setzero_ps();
        for (int r = 0; r < rows; r++) s = _mm256_add_ps(s, _mm256_loadu_ps(x + (size_t)r * C + c));
        _mm256_storeu_ps(sum + c, _mm256_add_ps(_mm256_loadu_ps(sum + c), s));
    }
    for (; c < C; c++) {
        float s = 0;
        for (int r = 0; r < rows; r++) s += x[(size_t)r * C + c];
        sum[c] += s;
    }
}

void cnnc_centered_squares(const float *x, int rows, int C, const float *mean, float *out) {
    int c = 0;
    for (; c + 8 <= C; c += 8) {
        const __m256 m = _mm256_loadu_ps(mean + c);
        __m256 s = _mm256_setzero_ps();
        for (int r = 0; r < rows; r++) {
            const __m256 d = _mm256_sub_ps(_mm256_loadu_ps(x + (size_t)r * C + c), m);
            s = _mm256_fmadd_ps(d, d, s);
        }
        _mm256_storeu_ps(out + c, _mm256_add_ps(_mm256_loadu_ps(out + c), s));
    }
    for (; c < C; c++) {
        float s = 0;
        for (int r = 0; r < rows; r++) {
            const float d = x[(size_t)r * C + c] - mean[c];
            s += d * d;
        }
        out[c] += s;
    }
}

void cnnc_normalized_gradient_sums(const float *dy, const float *x, int rows, int C, const float *mean,
                                    const float *inverse_std, float *sum, float *product) {
    int c = 0;
    for (; c + 8 <= C; c += 8) {
        const __m256 m = _mm256_loadu_ps(mean + c), k = _mm256_loadu_ps(inverse_std + c);
        __m256 s = _mm256_setzero_ps(), p = _mm256_setzero_ps();
        for (int r = 0; r < rows; r++) {
            const __m256 g = _mm256_loadu_ps(dy + (size_t)r * C + c);
            const __m256 h = _mm256_mul_ps(_mm256_sub_ps(_mm256_loadu_ps(x + (size_t)r * C + c), m), k);
            s = _mm256_add_ps(s, g);
            p = _mm256_fmadd_ps(g, h, p);
        }
        _mm256_storeu_ps(sum + c, _mm256_add_ps(_mm256_loadu_ps(sum + c), s));
        _mm256_storeu_ps(product + c, _mm256_add_ps(_mm256_loadu_ps(product + c), p));
    }
    for (; c < C; c++) {
        float s = 0, p = 0;
        for (int r = 0; r < rows; r++) {
            const float g = dy[(size_t)r * C + c], h = (x[(size_t)r * C + c] - mean[c]) * inverse_std[c];
            s += g;
            p += g * h;
        }
        sum[c] += s;
        product[c] += p;
    }
}

void cnnc_batch_norm_forward(const float *x, int rows, int C, const float *mean, const float *inverse_std,
                             const float *gamma, const float *beta, int relu, float *out) {
    // max(0, y) with y second: MAXPS returns its second operand when either is NaN, so a NaN stays NaN
    // (and is refused downstream as non-finite) instead of becoming 0.
    const __m256 zero = _mm256_setzero_ps();
    for (int r = 0; r < rows; r++) {
        const float *xr = x + (size_t)r * C;
        float *yr = out + (size_t)r * C;
        int c = 0;
        for (; c + 8 <= C; c += 8) {
            const __m256 h = _mm256_mul_ps(_mm256_sub_ps(_mm256_loadu_ps(xr + c), _mm256_loadu_ps(mean + c)),
                                           _mm256_loadu_ps(inverse_std + c));
            const __m256 y = _mm256_fmadd_ps(_mm256_loadu_ps(gamma + c), h, _mm256_loadu_ps(beta + c));
            _mm256_storeu_ps(yr + c, cnnc_activate8(y, relu));
        }
        for (; c < C; c++) {
            const float h = (xr[c] - mean[c]) * inverse_std[c];
            const float y = gamma[c] * h + beta[c];
            yr[c] = cnnc_activate1(y, relu);
        }
    }
}

void cnnc_batch_norm_backward(const float *dy, const float *x, int rows, int C, const float *mean, const float *inverse_std,
                              const float *scale, const float *shift, const float *slope, float *dx) {
    for (int r = 0; r < rows; r++) {
        const float *gr = dy + (size_t)r * C, *xr = x + (size_t)r * C;
        float *dr = dx + (size_t)r * C;
        int c = 0;
        for (; c + 8 <= C; c += 8) {
            const __m256 h = _mm256_mul_ps(_mm256_sub_ps(_mm256_loadu_ps(xr + c), _mm256_loadu_ps(mean + c)),
                                           _mm256_loadu_ps(inverse_std + c));
            const __m256 v = _mm256_sub_ps(_mm256_mul_ps(_mm256_loadu_ps(scale + c), _mm256_loadu_ps(gr + c)), _mm256_loadu_ps(shift + c));
            _mm256_storeu_ps(dr + c, _mm256_fnmadd_ps(h, _mm256_loadu_ps(slope + c), v));
        }
        for (; c < C; c++) {
            const float h = (xr[c] - mean[c]) * inverse_std[c];
            dr[c] = scale[c] * gr[c] - shift[c] - h * slope[c];
        }
    }
}
