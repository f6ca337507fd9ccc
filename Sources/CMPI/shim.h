#include <mpi.h>

/* MPI_COMM_WORLD, MPI_FLOAT, MPI_SUM… are macros over addresses of global structs, which Swift
   cannot import; these inline functions hand them over as values. */
static inline MPI_Comm cnnc_mpi_comm_world(void) { return MPI_COMM_WORLD; }
static inline MPI_Datatype cnnc_mpi_float(void) { return MPI_FLOAT; }
static inline MPI_Datatype cnnc_mpi_double(void) { return MPI_DOUBLE; }
static inline MPI_Datatype cnnc_mpi_uint64(void) { return MPI_UINT64_T; }
static inline MPI_Datatype cnnc_mpi_byte(void) { return MPI_BYTE; }
static inline MPI_Op cnnc_mpi_sum(void) { return MPI_SUM; }
static inline MPI_Op cnnc_mpi_band(void) { return MPI_BAND; }
static inline void *cnnc_mpi_in_place(void) { return MPI_IN_PLACE; }
static inline MPI_Status *cnnc_mpi_statuses_ignore(void) { return MPI_STATUSES_IGNORE; }
static inline MPI_Status *cnnc_mpi_status_ignore(void) { return MPI_STATUS_IGNORE; }
static inline MPI_Datatype cnnc_mpi_uint16(void) { return MPI_UINT16_T; }
