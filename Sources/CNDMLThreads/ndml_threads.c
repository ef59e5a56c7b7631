// Everything is static inline in include/ndml_threads.h; SwiftPM needs one source file per C target.
#include "ndml_threads.h"
