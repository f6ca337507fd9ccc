// The worker pool of worker_pool.h.
//
// One job at a time: a caller takes the pool (`busy`), publishes the job, and starts it by advancing `generation`.
// Every worker acknowledges every generation (`pending`), running its chunk when its index is below the job's chunk
// count, so the job's fields are rewritten only once no worker can still read them. An idle worker spins on
// `generation` for `spin_ns`, then sleeps on a condition variable; a caller wakes sleepers only when there are any.
// The store of `generation` and the load of `sleepers` (and the worker's converse) are sequentially consistent, so a
// worker going to sleep either sees the new generation or is counted and woken.
#define _GNU_SOURCE
#include "worker_pool.h"

#include <immintrin.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <time.h>

enum { max_workers = 255 };

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t wake = PTHREAD_COND_INITIALIZER;
static atomic_int busy;
static atomic_long generation;
static atomic_long pending;
static atomic_int sleepers;
static atomic_long spin_ns = 200000;
static long workers;       // started; changed only by the caller holding `busy`
static long first_generation[max_workers + 1];  // worker i's first seen generation, set before it starts
static long cpus;          // CPUs this process may run on, read once
static cnnc_chunk_fn job_task;
static void *job_context;
static long job_chunks;
static _Thread_local int is_worker;

static long now_ns(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (long)t.tv_sec * 1000000000L + t.tv_nsec;
}

/// Waits for `generation` to move past `seen`: spins, then sleeps. Returns the new generation.
static long await_generation(long seen) {
    long start = now_ns(), limit = atomic_load_explicit(&spin_ns, memory_order_relaxed);
    for (unsigned spins = 1;; spins++) {
        long g = atomic_load_explicit(&generation, memory_order_acquire);
        if (g != seen) return g;
        _mm_pause();
        if (spins % 256 == 0 && now_ns() - start >= limit) break;
    }
    pthread_mutex_lock(&lock);
    atomic_fetch_add(&sleepers, 1);
    long g;
    while ((g = atomic_load(&generation)) == seen) pthread_cond_wait(&wake, &lock);
    atomic_fetch_sub(&sleepers, 1);
    pthread_mutex_unlock(&lock);
    return g;
}

static void *worker_main(void *argument) {
    long index = (long)argument;
    is_worker = 1;
    // Started by a caller holding the pool, before it advanced `generation` for the job it is starting.
    long seen = first_generation[index];
    for (;;) {
        seen = await_generation(seen);
        if (index < job_chunks) job_task(job_context, index);
        atomic_fetch_sub_explicit(&pending, 1, memory_order_release);
    }
    return 0;
}

static long allowed_cpus(void) {
    cpu_set_t set;
    if (sched_getaffinity(0, sizeof set, &set) != 0) return 1;
    return CPU_COUNT(&set);
}

/// Starts workers up to `count`; false if a thread cannot be started (the pool keeps those it has).
static int ensure_workers(long count) {
    while (workers < count) {
        pthread_t thread;
        first_generation[workers + 1] = atomic_load(&generation);
        pthread_attr_t attributes;
        pthread_attr_init(&attributes);
        pthread_attr_setdetachstate(&attributes, PTHREAD_CREATE_DETACHED);
        int failed = pthread_create(&thread, &attributes, worker_main, (void *)(workers + 1));
        pthread_attr_destroy(&attributes);
        if (failed) return 0;
        workers++;
    }
    return 1;
}

int cnnc_pool_run(long chunks, cnnc_chunk_fn task, void *context) {
    if (chunks < 2 || chunks - 1 > max_workers || is_worker) return 0;
    int expected = 0;
    if (!atomic_compare_exchange_strong(&busy, &expected, 1)) return 0;
    if (cpus == 0) cpus = allowed_cpus();
    if (chunks > cpus || !ensure_workers(chunks - 1)) {
        atomic_store(&busy, 0);
        return 0;
    }
    job_task = task;
    job_context = context;
    job_chunks = chunks;
    atomic_store_explicit(&pending, workers, memory_order_relaxed);
    atomic_fetch_add(&generation, 1);  // sequentially consistent: publishes the job, ordered before the load below
    if (atomic_load(&sleepers) > 0) {
        pthread_mutex_lock(&lock);
        pthread_cond_broadcast(&wake);
        pthread_mutex_unlock(&lock);
    }
    task(context, 0);
    // The workers' chunks are as long as this one: spin, but yield the core if one of them is not running.
    long start = 0;
    for (unsigned spins = 1; atomic_load_explicit(&pending, memory_order_acquire) != 0; spins++) {
        _mm_pause();
        if (spins % 256 == 0) {
            if (start == 0) start = now_ns();
            else if (now_ns() - start > 200000) sched_yield();
        }
    }
    atomic_store_explicit(&busy, 0, memory_order_release);
    return 1;
}

void cnnc_pool_set_spin(long microseconds) {
    atomic_store(&spin_ns, (microseconds < 0 ? 0 : microseconds) * 1000L);
}
