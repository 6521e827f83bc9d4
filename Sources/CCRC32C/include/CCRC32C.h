// CRC-32C with the processor's instruction, where it has one.
#ifndef CCRC32C_H
#define CCRC32C_H

#include <stddef.h>
#include <stdint.h>

// Whether meridian_crc32c_update may be called on this processor (x86-64
// with SSE 4.2, or AArch64 with the CRC32 extension).
int meridian_crc32c_available(void);

// Feeds `count` bytes into a CRC-32C register (the inverted running CRC, as
// the instruction uses it) and returns the new register.
uint32_t meridian_crc32c_update(uint32_t state, const uint8_t *bytes, size_t count);

#endif
