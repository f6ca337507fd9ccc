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
#define DECL(i) V s##i = zero + (float)i;
#define STEP(i) s##i = s##i * a + b; /* one FMA: GNU C contracts a·b + c */
#define SUM(i) t += s##i;

// One thread's loop on vectors of BYTES bytes: twelve independent chains s = s·a + b, then their sum's first lane into
// *out (which keeps the loop).
#define FMA_LOOP(NAME, ISA, BYTES)                                        \
    __attribute__((target(ISA))) static void *NAME(void *out) {          \
        typedef float V __attribute__((vector_size(BYTES)));             \
        V zero = {0}, a = zero + 0.999f, b = zero + 1e-7f, t = zero;     \
        TWELVE(DECL)                                                     \
        for (long r = 0; r < ROUNDS; r++) { TWELVE(STEP) }               \
        TWELVE(SUM)                                                      \
        *(float *)out = t[0];                                            \
        return NULL;                                                     \
    }

FMA_LOOP(loop_avx2, "avx2,fma", 32)
FMA_LOOP(loop_avx512, "avx512f", 64)

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
