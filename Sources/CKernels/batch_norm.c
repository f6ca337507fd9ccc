// Channels-last batch normalisation: each row is one pixel's C channels, so channel c of every row
// shares the same per-channel constants; eight channels per register when C is a multiple of 8.
#include "batch_norm.h"

#include <immintrin.h>

void cnnc_channel_sums(const float *x, const float *y, int rows, int C, float *sum, float *product) {
    if (!y) y = x;
    int c = 0;
    for (; c + 8 <= C; c += 8) {
        __m256 s = _mm256_setzero_ps(), p = _mm256_setzero_ps();
        for (int r = 0; r < rows; r++) {
            const __m256 a = _mm256_loadu_ps(x + (size_t)r * C + c), b = _mm256_loadu_ps(y + (size_t)r * C + c);
            s = _mm256_add_ps(s, a);
            p = _mm256_fmadd_ps(a, b, p);
        }
        _mm256_storeu_ps(sum + c, _mm256_add_ps(_mm256_loadu_ps(sum + c), s));
        _mm256_storeu_ps(product + c, _mm256_add_ps(_mm256_loadu_ps(product + c), p));
    }
    for (; c < C; c++) {
        float s = 0, p = 0;
        for (int r = 0; r < rows; r++) {
            s += x[(size_t)r * C + c];
            p += x[(size_t)r * C + c] * y[(size_t)r * C + c];
        }
        sum[c] += s;
        product[c] += p;
    }
}

void cnnc_batch_norm_forward(const float *x, int rows, int C, const float *mean, const float *inverse_std,
                             const float *gamma, const float *beta, float *xhat, float *out) {
    for (int r = 0; r < rows; r++) {
        const float *xr = x + (size_t)r * C;
        float *hr = xhat + (size_t)r * C, *yr = out + (size_t)r * C;
        int c = 0;
        for (; c + 8 <= C; c += 8) {
            const __m256 v = _mm256_mul_ps(_mm256_sub_ps(_mm256_loadu_ps(xr + c), _mm256_loadu_ps(mean + c)),
                                           _mm256_loadu_ps(inverse_std + c));
            _mm256_storeu_ps(hr + c, v);
            _mm256_storeu_ps(yr + c, _mm256_fmadd_ps(_mm256_loadu_ps(gamma + c), v, _mm256_loadu_ps(beta + c)));
        }
        for (; c < C; c++) {
            const float v = (xr[c] - mean[c]) * inverse_std[c];
            hr[c] = v;
            yr[c] = gamma[c] * v + beta[c];
        }
    }
}

void cnnc_batch_norm_backward(const float *dy, const float *xhat, int rows, int C, const float *scale,
                              const float *shift, const float *slope, float *dx) {
    for (int r = 0; r < rows; r++) {
        const float *gr = dy + (size_t)r * C, *hr = xhat + (size_t)r * C;
        float *dr = dx + (size_t)r * C;
        int c = 0;
        for (; c + 8 <= C; c += 8) {
            const __m256 v = _mm256_sub_ps(_mm256_mul_ps(_mm256_loadu_ps(scale + c), _mm256_loadu_ps(gr + c)), _mm256_loadu_ps(shift + c));
            _mm256_storeu_ps(dr + c, _mm256_fnmadd_ps(_mm256_loadu_ps(hr + c), _mm256_loadu_ps(slope + c), v));
        }
        for (; c < C; c++) dr[c] = scale[c] * gr[c] - shift[c] - hr[c] * slope[c];
    }
}
