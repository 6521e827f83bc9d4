// Nothing to compile: the target exists to make <malloc.h> visible to Swift.
#include "CMalloc.h"
