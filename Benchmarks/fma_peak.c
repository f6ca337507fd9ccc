// The machine's single-precision FMA limit, measured: every thread runs a loop of independent fused multiply-adds
// (12 accumulators, enough to cover the FMA latency on current x86 cores) on ymm registers (AVX2) and, where the CPU
// has AVX-512F, on zmm; prints the GFLOP/s of all threads together, the ceiling a conv kernel is measured against in
// Benchmarks/layers.sh. No memory traffic: a kernel cannot beat it.
//
// build: cc -O2 -pthread Benchmarks/fma_peak.c -o fma_peak     usage: ./fma_peak [threads] (default 2)
#include <immintrin.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

enum { ROUNDS = 50 * 1000 * 1000 / 12 };

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

#define TWELVE(X) X(0) X(1) X(2) X(3) X(4) X(5) X(6) X(7) X(8) X(9) X(10) X(11)

__attribute__((target("avx2,fma"))) static void *loop_avx2(void *out) {
    __m256 a = _mm256_set1_ps(0.999f), b = _mm256_set1_ps(1e-7f);
#define DECL(i) __m256 s##i = _mm256_set1_ps((float)i);
#define STEP(i) s##i = _mm256_fmadd_ps(s##i, a, b);
#define SUM(i) t = _mm256_add_ps(t, s##i);
    TWELVE(DECL)
    for (long r = 0; r < ROUNDS; r++) { TWELVE(STEP) }
    __m256 t = _mm256_setzero_ps();
    TWELVE(SUM)
    *(float *)out = _mm256_cvtss_f32(t);  // keeps the loop
    return NULL;
#undef DECL
#undef STEP
#undef SUM
}

__attribute__((target("avx512f"))) static void *loop_avx512(void *out) {
    __m512 a = _mm512_set1_ps(0.999f), b = _mm512_set1_ps(1e-7f);
#define DECL(i) __m512 s##i = _mm512_set1_ps((float)i);
#define STEP(i) s##i = _mm512_fmadd_ps(s##i, a, b);
#define SUM(i) t = _mm512_add_ps(t, s##i);
    TWELVE(DECL)
    for (long r = 0; r < ROUNDS; r++) { TWELVE(STEP) }
    __m512 t = _mm512_setzero_ps();
    TWELVE(SUM)
    *(float *)out = _mm512_reduce_add_ps(t);
    return NULL;
}

// The best of 5 runs of `threads` threads at once, in GFLOP/s (2 flops per lane per FMA).
static double measure(void *(*loop)(void *), int threads, int lanes) {
    pthread_t ids[64];
    float sink[64];
    double best = 0;
    for (int run = 0; run < 5; run++) {
        double start = now();
        for (int i = 0; i < threads; i++) pthread_create(&ids[i], NULL, loop, &sink[i]);
        for (int i = 0; i < threads; i++) pthread_join(ids[i], NULL);
        double gflops = threads * (double)ROUNDS * 12 * lanes * 2 / (now() - start) * 1e-9;
        if (gflops > best) best = gflops;
    }
    return best;
}

int main(int argc, char **argv) {
    int threads = argc > 1 ? atoi(argv[1]) : 2;
    if (threads < 1 || threads > 64) { fprintf(stderr, "usage: fma_peak [threads 1-64]\n"); return 2; }
    __builtin_cpu_init();
    if (!__builtin_cpu_supports("avx2") || !__builtin_cpu_supports("fma")) { fprintf(stderr, "fma_peak: no AVX2 + FMA\n"); return 1; }
    printf("avx2 %.1f\n", measure(loop_avx2, threads, 8));
    if (__builtin_cpu_supports("avx512f")) printf("avx512 %.1f\n", measure(loop_avx512, threads, 16));
    return 0;
}
