// A pool of persistent worker threads that spin briefly between jobs, for the many short parallel loops of a
// batch-1 forward pass: waking a sleeping thread costs tens of microseconds, about what a small layer takes.
#ifndef CNNC_WORKER_POOL_H
#define CNNC_WORKER_POOL_H

#ifdef __cplusplus
extern "C" {
#endif

/// One chunk of a job: `chunk` in 0..<chunks.
typedef void (*cnnc_chunk_fn)(void *context, long chunk);

/// Runs task(context, i) for every i in 0..<chunks, chunk 0 on the calling thread and each other chunk on whichever
/// thread claims it first (a worker, or the caller once its own chunk is done), and returns 1 when all are done. Returns 0 without running anything when the pool cannot take the job: another thread is using
/// it, the caller is one of its workers (a nested loop), chunks < 2, or chunks exceeds the CPUs this process may run
/// on (spinning threads would then take turns on a core). The caller then runs the chunks some other way.
int cnnc_pool_run(long chunks, cnnc_chunk_fn task, void *context);

/// How long an idle worker spins before it sleeps, in microseconds (default 5,000); 0: it sleeps at once.
void cnnc_pool_set_spin(long microseconds);

#ifdef __cplusplus
}
#endif

#endif
