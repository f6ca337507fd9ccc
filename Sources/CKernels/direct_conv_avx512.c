// The AVX-512 build of vector_tiles.h: 16 lanes, tiles of 6 rows × up to 4 vectors (64 filters) in 24 of the 32 zmm
// registers. Compiled for AVX-512F by the pragma below and called only when the CPU has it (kernel_variants.h).
#include "direct_conv.h"
#include "kernel_variants.h"
#include "activation.h"

#include <immintrin.h>
#include <stdint.h>

#pragma clang attribute push(__attribute__((target("avx512f"))), apply_to = function)

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
