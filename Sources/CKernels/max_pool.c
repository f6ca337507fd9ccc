// Channels-last max pooling: eight channels per ymm register, the winner's index carried in a
// parallel integer register and selected with the same comparison mask.
#include "max_pool.h"

#include <immintrin.h>

void cnnc_max_pool_forward(const float *x, int H, int W, int C, float *y, int32_t *arg, int OH, int OW,
                           int KH, int KW, int sh, int sw, int pt, int pl) {
    const __m256i lanes = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
    for (int oh = 0; oh < OH; oh++) {
        const int top = oh * sh - pt;
        const int y0 = top < 0 ? 0 : top, y1 = top + KH > H ? H : top + KH;
        for (int ow = 0; ow < OW; ow++) {
            const int left = ow * sw - pl;
            const int x0 = left < 0 ? 0 : left, x1 = left + KW > W ? W : left + KW;
            float *out = y + ((size_t)oh * OW + ow) * C;
            int32_t *at = arg + ((size_t)oh * OW + ow) * C;
            const int first = (y0 * W + x0) * C;
            int c = 0;
            for (; c + 8 <= C; c += 8) {
                __m256 best = _mm256_loadu_ps(x + first + c);
                __m256i where = _mm256_add_epi32(_mm256_set1_epi32(first + c), lanes);
                for (int yy = y0; yy < y1; yy++) {
                    for (int xx = x0; xx < x1; xx++) {
                        const int pixel = (yy * W + xx) * C + c;
                        const __m256 v = _mm256_loadu_ps(x + pixel);
                        const __m256 wins = _mm256_cmp_ps(v, best, _CMP_GT_OQ);
                        best = _mm256_blendv_ps(best, v, wins);
                        const __m256i index = _mm256_add_epi32(_mm256_set1_epi32(pixel), lanes);
                        where = _mm256_castps_si256(_mm256_blendv_ps(_mm256_castsi256_ps(where), _mm256_castsi256_ps(index), wins));
                    }
                }
                _mm256_storeu_ps(out + c, best);
                _mm256_storeu_si256((__m256i *)(at + c), where);
            }
            for (; c < C; c++) {
                float best = x[first + c];
                int32_t where = first + c;
                for (int yy = y0; yy < y1; yy++) {
                    for (int xx = x0; xx < x1; xx++) {
                        const int pixel = (yy * W + xx) * C + c;
                        if (x[pixel] > best) { best = x[pixel]; where = pixel; }
                    }
                }
                out[c] = best;
                at[c] = where;
            }
        }
    }
}
