#ifndef MERIDIAN_CSNAPPY_SHIM_H
#define MERIDIAN_CSNAPPY_SHIM_H
// Debian's libsnappy-dev ships the C binding of snappy in this header.
#include <snappy-c.h>
#endif
