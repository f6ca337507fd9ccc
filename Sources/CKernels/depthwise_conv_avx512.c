// The AVX-512 build of depthwise_tiles.h: 16 channels a vector, tiles of 8 pixels (8 accumulators, 9 weights and the
// input vector in 18 of the 32 zmm registers). Compiled for AVX-512F by the pragma below and called only when the CPU
// has it (kernel_variants.h).
#include "kernel_variants.h"
#include "activation.h"

#include <immintrin.h>
#include <stddef.h>

#pragma clang attribute push(__attribute__((target("avx512f"))), apply_to = function)

#define VEC __m512
#define LANES 16
#define PIXELS 8
#define VLOAD _mm512_loadu_ps
#define VSTORE _mm512_storeu_ps
#define VSET1 _mm512_set1_ps
#define VFMA _mm512_fmadd_ps
#define VACTIVATE cnnc_activate16
#define TILE(name) name##_avx512
#include "depthwise_tiles.h"

#pragma clang attribute pop
