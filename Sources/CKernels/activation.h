#ifndef CNNC_ACTIVATION_H
#define CNNC_ACTIVATION_H

#include <immintrin.h>

/// The activation a kernel applies to its outputs in its epilogue (a relu or relu6 fused into the layer before it):
/// 0 none, 1 relu max(y, 0), 2 relu6 min(max(y, 0), 6). NaN stays NaN in both (maxps/minps return their second
/// operand when one is NaN), as in the separate layers.
enum { CNNC_ACTIVATION_NONE = 0, CNNC_ACTIVATION_RELU = 1, CNNC_ACTIVATION_RELU6 = 2 };

/// The activation's bits of an argument that may also carry flags (CNNC_STREAM_OUTPUTS, direct_conv.h).
enum { CNNC_ACTIVATION_MASK = 0xff };

static inline __attribute__((always_inline)) __m256 cnnc_activate8(__m256 y, int activation) {
    if (activation) {
        y = _mm256_max_ps(_mm256_setzero_ps(), y);
        if (activation == CNNC_ACTIVATION_RELU6) y = _mm256_min_ps(_mm256_set1_ps(6.0f), y);
    }
    return y;
}

static inline __attribute__((always_inline, target("avx512f"))) __m512 cnnc_activate16(__m512 y, int activation) {
    if (activation) {
        y = _mm512_max_ps(_mm512_setzero_ps(), y);
        if (activation == CNNC_ACTIVATION_RELU6) y = _mm512_min_ps(_mm512_set1_ps(6.0f), y);
    }
    return y;
}

static inline __attribute__((always_inline)) float cnnc_activate1(float y, int activation) {
    if (activation) {
        if (y < 0.0f) y = 0.0f;
        if (activation == CNNC_ACTIVATION_RELU6 && y > 6.0f) y = 6.0f;
    }
    return y;
}

#endif
