#include <cblas.h>
/* OpenBLAS extension: threads used by one BLAS call. */
void openblas_set_num_threads(int num_threads);
/* OpenBLAS extension: the kernel set chosen for this CPU when the library loaded ("Haswell", "SkylakeX", ...). */
char *openblas_get_corename(void);
