// Exposes HDF5's C API to Swift.
//
// HDF5 defines many constants as macros that expand to global variables (after a call to
// H5open) or to casts; Swift cannot import those, and the globals it can see are not
// concurrency-safe in Swift 6. Each constant below is therefore wrapped in a static inline
// function that Swift imports as a plain call.
#ifndef NDML_CHDF5_SHIM_H
#define NDML_CHDF5_SHIM_H

#include <hdf5.h>

// MARK: Native datatypes
static inline hid_t ndml_H5T_NATIVE_DOUBLE(void) { return H5T_NATIVE_DOUBLE; }
static inline hid_t ndml_H5T_NATIVE_FLOAT(void) { return H5T_NATIVE_FLOAT; }
static inline hid_t ndml_H5T_NATIVE_UINT64(void) { return H5T_NATIVE_UINT64; }
static inline hid_t ndml_H5T_NATIVE_INT64(void) { return H5T_NATIVE_INT64; }
static inline hid_t ndml_H5T_NATIVE_UINT32(void) { return H5T_NATIVE_UINT32; }
static inline hid_t ndml_H5T_NATIVE_INT32(void) { return H5T_NATIVE_INT32; }
static inline hid_t ndml_H5T_NATIVE_UINT16(void) { return H5T_NATIVE_UINT16; }
static inline hid_t ndml_H5T_NATIVE_INT16(void) { return H5T_NATIVE_INT16; }
static inline hid_t ndml_H5T_NATIVE_UINT8(void) { return H5T_NATIVE_UINT8; }
static inline hid_t ndml_H5T_NATIVE_INT8(void) { return H5T_NATIVE_INT8; }
static inline hid_t ndml_H5T_C_S1(void) { return H5T_C_S1; }
static inline size_t ndml_H5T_VARIABLE(void) { return H5T_VARIABLE; }

// MARK: Property list classes and defaults
static inline hid_t ndml_H5P_DEFAULT(void) { return H5P_DEFAULT; }
static inline hid_t ndml_H5P_DATASET_CREATE(void) { return H5P_DATASET_CREATE; }
static inline hid_t ndml_H5P_DATASET_ACCESS(void) { return H5P_DATASET_ACCESS; }
static inline hid_t ndml_H5P_FILE_ACCESS(void) { return H5P_FILE_ACCESS; }
static inline hid_t ndml_H5P_LINK_CREATE(void) { return H5P_LINK_CREATE; }

// MARK: File access flags and object kinds
static inline unsigned ndml_H5F_ACC_TRUNC(void) { return H5F_ACC_TRUNC; }
static inline unsigned ndml_H5F_ACC_RDONLY(void) { return H5F_ACC_RDONLY; }
static inline unsigned ndml_H5F_ACC_RDWR(void) { return H5F_ACC_RDWR; }
static inline unsigned ndml_H5F_ACC_EXCL(void) { return H5F_ACC_EXCL; }
static inline unsigned ndml_H5F_OBJ_LOCAL_OBJECTS(void) {
  return H5F_OBJ_DATASET | H5F_OBJ_GROUP | H5F_OBJ_DATATYPE | H5F_OBJ_ATTR | H5F_OBJ_LOCAL;
}

// MARK: Dataspaces
static inline hid_t ndml_H5S_ALL(void) { return H5S_ALL; }
static inline hsize_t ndml_H5S_UNLIMITED(void) { return H5S_UNLIMITED; }

// MARK: Errors and filters
static inline hid_t ndml_H5E_DEFAULT(void) { return H5E_DEFAULT; }
static inline H5Z_filter_t ndml_H5Z_FILTER_DEFLATE(void) { return H5Z_FILTER_DEFLATE; }
static inline H5Z_filter_t ndml_H5Z_FILTER_SHUFFLE(void) { return H5Z_FILTER_SHUFFLE; }

#endif
