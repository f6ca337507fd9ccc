/* Times MPI_Allreduce of N floats in place (the gradient exchange of a data-parallel step), for
   Benchmarks/multihost-allreduce.sh. Usage: allreduce_bench FLOATS [ITERATIONS]. Rank 0 prints
   the mean time per allreduce and the algorithm bandwidth (bytes / time). */
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv) {
    MPI_Init(&argc, &argv);
    int rank;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    int n = argc > 1 ? atoi(argv[1]) : 123552, iterations = argc > 2 ? atoi(argv[2]) : 30;
    float *x = malloc(sizeof(float) * (size_t)n);
    for (int i = 0; i < n; i++) x[i] = 1;
    MPI_Allreduce(MPI_IN_PLACE, x, n, MPI_FLOAT, MPI_SUM, MPI_COMM_WORLD); /* connections set up outside the timing */
    MPI_Barrier(MPI_COMM_WORLD);
    double started = MPI_Wtime();
    for (int k = 0; k < iterations; k++) MPI_Allreduce(MPI_IN_PLACE, x, n, MPI_FLOAT, MPI_SUM, MPI_COMM_WORLD);
    double seconds = (MPI_Wtime() - started) / iterations;
    if (rank == 0) printf("%.3f ms %.2f Gb/s\n", seconds * 1e3, n * 4 * 8e-9 / seconds);
    free(x);
    MPI_Finalize();
    return 0;
}
