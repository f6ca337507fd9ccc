// The AVX-512 build of vector_tiles.h: 16 lanes, tiles of 6 rows × up to 4 vectors (64 filters) in 24 of the 32 zmm
// registers. Compiled for AVX-512F by the pragma below and called only when the CPU has it (kernel_variants.h).
#include "direct_conv.h"
#include "kernel_variants.h"
#include "activation.h"

#include <immintrin.h>
#include <stdint.h>

#pragma clang attribute push(__attribute__((target("avx512f"))), apply_to = function)

ALWAYS_INLINE __m512 cnnc_activate16(__m512 y, int activation) {
    if (activation) {
        y = _mm512_max_ps(_mm512_setzero_ps(), y);
        if (activation == CNNC_ACTIVATION_RELU6) y = _mm512_min_ps(_mm512_set1_ps(6.0f), y);
    }
    return y;
}

#define VEC __m512
#define LANES 16
#define MAX_NV 4
#define VLOAD _mm512_loadu_ps
#define VSTORE _mm512_storeu_ps
#define VSTREAM _mm512_stream_ps
#define VZERO _mm512_setzero_ps
#define VSET1 _mm512_set1_ps
#define VFMA _mm512_fmadd_ps
#define VADD _mm512_add_ps
#define VACTIVATE cnnc_activate16
#define TILE(name) name##_avx512
#include "vector_tiles.h"

#pragma clang attribute pop
