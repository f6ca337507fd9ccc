// Repacking a conv's weights `[F][C][K]` → `[K][C][F]` and unpacking their gradient back (filter_layout.h).
//
// Both are a transpose of the stored matrix `[F][C·K]` whose column (c, k) lands in row k·C + c, done in 8×8 blocks in
// AVX2 registers, two side by side so that each row of the kernel layout is written (or read) as one 64-byte line:
// per block, 16 stored rows are read 8 floats at a time (16 sequential streams). ResNet's 512 → 512 3×3 convs hold
// 2.4 M weights each; the Swift loop this replaces took 5–7 ms a pass over one of them on one thread, a tiled scalar
// transpose 1.7–3.6 ms, this ~1 ms. Filters and columns that do not fill a block take the scalar loop.
#include "filter_layout.h"
#include <immintrin.h>

/// The 8×8 transpose of r[0..7] in place.
static inline void transpose8(__m256 r[8]) {
    __m256 t0 = _mm256_unpacklo_ps(r[0], r[1]), t1 = _mm256_unpackhi_ps(r[0], r[1]);
    __m256 t2 = _mm256_unpacklo_ps(r[2], r[3]), t3 = _mm256_unpackhi_ps(r[2], r[3]);
    __m256 t4 = _mm256_unpacklo_ps(r[4], r[5]), t5 = _mm256_unpackhi_ps(r[4], r[5]);
    __m256 t6 = _mm256_unpacklo_ps(r[6], r[7]), t7 = _mm256_unpackhi_ps(r[6], r[7]);
    __m256 s0 = _mm256_shuffle_ps(t0, t2, 0x44), s1 = _mm256_shuffle_ps(t0, t2, 0xEE);
    __m256 s2 = _mm256_shuffle_ps(t1, t3, 0x44), s3 = _mm256_shuffle_ps(t1, t3, 0xEE);
    __m256 s4 = _mm256_shuffle_ps(t4, t6, 0x44), s5 = _mm256_shuffle_ps(t4, t6, 0xEE);
    __m256 s6 = _mm256_shuffle_ps(t5, t7, 0x44), s7 = _mm256_shuffle_ps(t5, t7, 0xEE);
    r[0] = _mm256_permute2f128_ps(s0, s4, 0x20); r[1] = _mm256_permute2f128_ps(s1, s5, 0x20);
    r[2] = _mm256_permute2f128_ps(s2, s6, 0x20); r[3] = _mm256_permute2f128_ps(s3, s7, 0x20);
    r[4] = _mm256_permute2f128_ps(s0, s4, 0x31); r[5] = _mm256_permute2f128_ps(s1, s5, 0x31);
    r[6] = _mm256_permute2f128_ps(s2, s6, 0x31); r[7] = _mm256_permute2f128_ps(s3, s7, 0x31);
}

/// The kernel-layout row of stored column j = c·K + k.
static inline long kernelRow(int j, int C, int K) { return (long)(j % K) * C + j / K; }

void cnnc_pack_filters(const float *src, int F, int C, int K, const float *scale, int first, int last, float *dst) {
    const int columns = C * K, blocked = first + (last - first) / 16 * 16;
    int j0 = 0;
    for (; j0 + 8 <= columns; j0 += 8) {
        long rows[8];
        for (int i = 0; i < 8; i++) rows[i] = kernelRow(j0 + i, C, K) * F;
        for (int f0 = first; f0 < blocked; f0 += 16) {
            __m256 r[2][8];
            for (int h = 0; h < 2; h++) {
                for (int i = 0; i < 8; i++) r[h][i] = _mm256_loadu_ps(src + (long)(f0 + 8 * h + i) * columns + j0);
                transpose8(r[h]);
            }
            const __m256 s0 = scale ? _mm256_loadu_ps(scale + f0) : _mm256_set1_ps(1);
            const __m256 s1 = scale ? _mm256_loadu_ps(scale + f0 + 8) : _mm256_set1_ps(1);
            for (int i = 0; i < 8; i++) {
                float *out = dst + rows[i] + f0;
                _mm256_storeu_ps(out, _mm256_mul_ps(r[0][i], s0));
                _mm256_storeu_ps(out + 8, _mm256_mul_ps(r[1][i], s1));
            }
        }
    }
    // The columns and filters outside whole blocks.
    for (int f = first; f < last; f++) {
        const float s = scale ? scale[f] : 1.0f;
        for (int j = f < blocked ? j0 : 0; j < columns; j++) dst[kernelRow(j, C, K) * F + f] = src[(long)f * columns + j] * s;
    }
}

void cnnc_unpack_filter_gradient(const float *const *parts, int count, int F, int C, int K, int first, int last, float *dst) {
    const int columns = C * K, blocked = first + (last - first) / 16 * 16;
    int j0 = 0;
    for (; j0 + 8 <= columns; j0 += 8) {
        long rows[8];
        for (int i = 0; i < 8; i++) rows[i] = kernelRow(j0 + i, C, K) * F;
        for (int f0 = first; f0 < blocked; f0 += 16) {
            __m256 r[2][8];
            for (int i = 0; i < 8; i++) {
                const long at = rows[i] + f0;
                r[0][i] = _mm256_loadu_ps(parts[0] + at);
                r[1][i] = _mm256_loadu_ps(parts[0] + at + 8);
                for (int t = 1; t < count; t++) {
                    r[0][i] = _mm256_add_ps(r[0][i], _mm256_loadu_ps(parts[t] + at));
                    r[1][i] = _mm256_add_ps(r[1][i], _mm256_loadu_ps(parts[t] + at + 8));
                }
            }
            for (int h = 0; h < 2; h++) {
                transpose8(r[h]);
                for (int i = 0; i < 8; i++) {
                    float *row = dst + (long)(f0 + 8 * h + i) * columns + j0;
                    _mm256_storeu_ps(row, _mm256_add_ps(_mm256_loadu_ps(row), r[h][i]));
                }
            }
        }
    }
    // The columns and filters outside whole blocks.
    for (int f = first; f < last; f++) {
        for (int j = f < blocked ? j0 : 0; j < columns; j++) {
            const long at = kernelRow(j, C, K) * F + f;
            float sum = parts[0][at];
            for (int t = 1; t < count; t++) sum += parts[t][at];
            dst[(long)f * columns + j] += sum;
        }
    }
}

void cnnc_flip_filters(const float *src, int F, int C, int K, int first, int last, float *dst) {
    for (int f = first; f < last; f++) {
        const float *row = src + (long)f * C * K;
        for (int k = 0; k < K; k++) {
            float *out = dst + ((long)(K - 1 - k) * F + f) * C;
            for (int c = 0; c < C; c++) out[c] = row[(long)c * K + k];
        }
    }
}
