#include <cblas.h>
/* OpenBLAS extension: threads used by one BLAS call. */
void openblas_set_num_threads(int num_threads);
