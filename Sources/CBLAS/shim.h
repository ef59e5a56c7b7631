// Exposes OpenBLAS's CBLAS interface to Swift.
#ifndef NDML_CBLAS_SHIM_H
#define NDML_CBLAS_SHIM_H

#include <cblas.h>

#endif
