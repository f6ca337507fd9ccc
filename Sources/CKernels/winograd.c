// Winograd F(2×2, 3×3), channels-last. See include/winograd.h.
//
//   Bᵀ = | 1  0 -1  0 |    G = | 1    0    0   |    Aᵀ = | 1  1  1  0 |
//        | 0  1  1  0 |        | 1/2  1/2  1/2 |         | 0  1 -1 -1 |
//        | 0 -1  1  0 |        | 1/2 -1/2  1/2 |
//        | 0  1  0 -1 |        | 0    0    1   |
//
// Layouts: U[16][C][F] transformed filters; per group of tiles (below), V[16][T][C] transformed input tiles and
// M[16][T][F] their products.
#include "winograd.h"
#include "activation.h"
#include "kernel_variants.h"

#include <immintrin.h>

// Runs of 64 (c, f) pairs at a time: the 9 weight planes and 16 transformed ones lie C·F floats apart, a multiple
// of 4 KB for most shapes, so walking all 25 a few floats at a time kept them in the same cache sets (5.3 ms for
// ResNet's 256 → 256, against ~0.5 ms this way).
#define FILTER_RUN 64

void cnnc_winograd_filters(const float *w, int C, int F, size_t first, size_t last, float *u) {
    const size_t plane = (size_t)C * F;
    for (size_t k0 = first; k0 < last; k0 += FILTER_RUN) {
        const int n = last - k0 < FILTER_RUN ? (int)(last - k0) : FILTER_RUN;
        float g[9][FILTER_RUN], t[4][3][FILTER_RUN], out[4][FILTER_RUN];
        for (int i = 0; i < 9; i++)
            for (int r = 0; r < n; r++) g[i][r] = w[i * plane + k0 + r];
        for (int j = 0; j < 3; j++) {  // t = G·g
            for (int r = 0; r < n; r++) {
                t[0][j][r] = g[j][r];
                t[1][j][r] = 0.5f * (g[j][r] + g[3 + j][r] + g[6 + j][r]);
                t[2][j][r] = 0.5f * (g[j][r] - g[3 + j][r] + g[6 + j][r]);
                t[3][j][r] = g[6 + j][r];
            }
        }
        for (int i = 0; i < 4; i++) {  // u = t·Gᵀ
            for (int r = 0; r < n; r++) {
                out[0][r] = t[i][0][r];
                out[1][r] = 0.5f * (t[i][0][r] + t[i][1][r] + t[i][2][r]);
                out[2][r] = 0.5f * (t[i][0][r] - t[i][1][r] + t[i][2][r]);
                out[3][r] = t[i][2][r];
            }
            for (int j = 0; j < 4; j++)
                for (int r = 0; r < n; r++) u[(i * 4 + j) * plane + k0 + r] = out[j][r];
        }
    }
}

// Tiles go through the three steps a group at a time. Where the transformed filters fit in the L2 cache (at most
// CNNC_WINOGRAD_GROUP_BYTES: 64 → 64's 256 KiB, 128 → 128's 1 MiB), a group is 6 tiles, whose V and M stay in L1.
// Larger filters (256 → 256: 4 MiB) were read from the L3 cache once per 6 tiles, so there a group is up to 48 tiles,
// and each of the 16 GEMMs reads its filters once for them all (Benchmarks/NOTES.md, change 38). Every output gets the
// same arithmetic whatever the group: the same bits.
#define BLOCK 6
#define LARGE_GROUP 48

/// Tiles per group for T tiles of C → F.
static int group_tiles(int T, int C, int F) {
    if ((size_t)16 * C * F * sizeof(float) <= CNNC_WINOGRAD_GROUP_BYTES || T <= BLOCK) return BLOCK;
    return T < LARGE_GROUP ? T : LARGE_GROUP;
}

size_t cnnc_winograd_scratch_floats(int OH, int OW, int C, int F) {
    return 16 * (size_t)group_tiles(((OH + 1) / 2) * ((OW + 1) / 2), C, F) * (C + F);
}

void cnnc_winograd_forward(const float *xp, int Wp, int C, const float *u, const float *bias, const float *residual, float *y,
                           int OH, int OW, int F, int relu, float *scratch) {
    const int TH = (OH + 1) / 2, TW = (OW + 1) / 2, T = TH * TW, group = group_tiles(T, C, F);
    float *V = scratch, *M = scratch + (size_t)16 * group * C;
    const size_t row = (size_t)Wp * C, vPlane = (size_t)group * C, mPlane = (size_t)group * F;

    for (int t0 = 0; t0 < T; t0 += group) {
        const int R = T - t0 < group ? T - t0 : group;
        // 1. Input transform: V[ξν][r][c] = (Bᵀ·d·B)[ξ][ν] of tile t0 + r's 4×4 patch.
        for (int r = 0; r < R; r++) {
            const int th = (t0 + r) / TW, tw = (t0 + r) % TW;
            const float *patch = xp + (size_t)(2 * th) * row + (size_t)(2 * tw) * C;
            for (int c = 0; c < C; c += 8) {
                __m256 d[4][4], b[4][4];
                for (int i = 0; i < 4; i++)
                    for (int j = 0; j < 4; j++) d[i][j] = _mm256_loadu_ps(patch + i * row + (size_t)j * C + c);
                for (int j = 0; j < 4; j++) {  // Bᵀ·d, column j
                    b[0][j] = _mm256_sub_ps(d[0][j], d[2][j]);
                    b[1][j] = _mm256_add_ps(d[1][j], d[2][j]);
                    b[2][j] = _mm256_sub_ps(d[2][j], d[1][j]);
                    b[3][j] = _mm256_sub_ps(d[1][j], d[3][j]);
                }
                float *v = V + (size_t)r * C + c;
                for (int i = 0; i < 4; i++) {  // (Bᵀ·d)·B, row i
                    _mm256_storeu_ps(v + (i * 4 + 0) * vPlane, _mm256_sub_ps(b[i][0], b[i][2]));
                    _mm256_storeu_ps(v + (i * 4 + 1) * vPlane, _mm256_add_ps(b[i][1], b[i][2]));
                    _mm256_storeu_ps(v + (i * 4 + 2) * vPlane, _mm256_sub_ps(b[i][2], b[i][1]));
                    _mm256_storeu_ps(v + (i * 4 + 3) * vPlane, _mm256_sub_ps(b[i][1], b[i][3]));
                }
            }
        }

        // 2. Sixteen GEMMs: M[ξν] = V[ξν]·U[ξν], [R × C]·[C × F] (vector_tiles.h).
        if (cnnc_uses_avx512(F)) cnnc_winograd_gemm_avx512(R, V, vPlane, C, u, F, M, mPlane);
        else cnnc_winograd_gemm_avx2(R, V, vPlane, C, u, F, M, mPlane);

        // 3. Output transform: y tile = Aᵀ·m·A, plus bias (plus the residual), then ReLU; tiles past an odd edge are cut.
        for (int r = 0; r < R; r++) {
            const int th = (t0 + r) / TW, tw = (t0 + r) % TW;
            const int rows = 2 * th + 1 < OH ? 2 : 1, cols = 2 * tw + 1 < OW ? 2 : 1;
            for (int f = 0; f < F; f += 8) {
                __m256 mm[4][4], a[2][4];
                for (int k = 0; k < 16; k++) mm[k / 4][k % 4] = _mm256_loadu_ps(M + k * mPlane + (size_t)r * F + f);
                for (int j = 0; j < 4; j++) {  // Aᵀ·m
                    a[0][j] = _mm256_add_ps(_mm256_add_ps(mm[0][j], mm[1][j]), mm[2][j]);
                    a[1][j] = _mm256_sub_ps(_mm256_sub_ps(mm[1][j], mm[2][j]), mm[3][j]);
                }
                const __m256 b = bias ? _mm256_loadu_ps(bias + f) : _mm256_setzero_ps();
                for (int i = 0; i < rows; i++) {
                    __m256 out[2];
                    out[0] = _mm256_add_ps(_mm256_add_ps(_mm256_add_ps(a[i][0], a[i][1]), a[i][2]), b);
                    out[1] = _mm256_add_ps(_mm256_sub_ps(_mm256_sub_ps(a[i][1], a[i][2]), a[i][3]), b);
                    for (int j = 0; j < cols; j++) {
                        const size_t at = ((size_t)(2 * th + i) * OW + (2 * tw + j)) * F + f;
                        const __m256 sum = residual ? _mm256_add_ps(out[j], _mm256_loadu_ps(residual + at)) : out[j];
                        _mm256_storeu_ps(y + at, cnnc_activate8(sum, relu));
                    }
                }
            }
        }
    }
}
