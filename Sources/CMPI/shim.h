// Exposes the few MPI calls of a distributed run (`mpirun -np K ndml run`) to Swift.
//
// Open MPI defines MPI_COMM_WORLD, MPI_INT32_T and the like as addresses of library globals,
// which Swift cannot import; each call below wraps them in a static inline function. Only the
// `ndml` executable links this module, and it calls `ndml_mpi_init` only when started by mpirun
// (docs/scaling.md): plain runs and the Swift tests never initialise MPI.
#ifndef NDML_CMPI_SHIM_H
#define NDML_CMPI_SHIM_H

#include <mpi.h>
#include <stdint.h>

/// MPI_Init_thread asking for MPI_THREAD_FUNNELED (only the main thread calls MPI); returns the
/// MPI error code. Errors abort the job (MPI_ERRORS_ARE_FATAL, the default), except that
/// collectives of `ndml_mpi_*` return their code for the caller to report.
static inline int ndml_mpi_init(void) {
  int provided = 0;
  int rc = MPI_Init_thread(NULL, NULL, MPI_THREAD_FUNNELED, &provided);
  if (rc == MPI_SUCCESS) MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
  return rc;
}

static inline int ndml_mpi_rank(void) {
  int rank = 0;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  return rank;
}

static inline int ndml_mpi_size(void) {
  int size = 1;
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  return size;
}

/// Every rank sends `count` int32 words; `receive` gets size × count words in rank order.
static inline int ndml_mpi_allgather_int32(const int32_t *send, int count, int32_t *receive) {
  return MPI_Allgather(send, count, MPI_INT32_T, receive, count, MPI_INT32_T, MPI_COMM_WORLD);
}

/// Every rank sends `count` int32 words; `receive` gets `counts[r]` words of rank r at
/// `displacements[r]`.
static inline int ndml_mpi_allgatherv_int32(
    const int32_t *send, int count, int32_t *receive, const int *counts, const int *displacements) {
  return MPI_Allgatherv(send, count, MPI_INT32_T, receive, counts, displacements, MPI_INT32_T, MPI_COMM_WORLD);
}

/// Every rank sends `count` int32 words; on rank 0 `receive` gets `counts[r]` words of rank r at
/// `displacements[r]` (`receive`, `counts` and `displacements` are read on rank 0 only).
static inline int ndml_mpi_gatherv_int32(
    const int32_t *send, int count, int32_t *receive, const int *counts, const int *displacements) {
  return MPI_Gatherv(send, count, MPI_INT32_T, receive, counts, displacements, MPI_INT32_T, 0, MPI_COMM_WORLD);
}

/// Sums `count` int64 words over all ranks into `receive` (on every rank).
static inline int ndml_mpi_allreduce_sum_int64(const int64_t *send, int64_t *receive, int count) {
  return MPI_Allreduce(send, receive, count, MPI_INT64_T, MPI_SUM, MPI_COMM_WORLD);
}

static inline int ndml_mpi_barrier(void) { return MPI_Barrier(MPI_COMM_WORLD); }

static inline void ndml_mpi_abort(int code) { MPI_Abort(MPI_COMM_WORLD, code); }

static inline int ndml_mpi_finalize(void) { return MPI_Finalize(); }

/// The message of an MPI error code.
static inline void ndml_mpi_error_string(int code, char *buffer, int capacity) {
  int length = 0;
  if (capacity < MPI_MAX_ERROR_STRING) {
    buffer[0] = 0;
    return;
  }
  MPI_Error_string(code, buffer, &length);
  buffer[length] = 0;
}

static inline int ndml_mpi_max_error_string(void) { return MPI_MAX_ERROR_STRING; }

#endif
