/* cpu.h: the CPU an image was captured on, as the loader checks it: FNV-1a
 * of cpuid leaves 0, 1 and 7, without leaf 1's APIC id (which says only on
 * which CPU the caller happens to run).  The loader computes the same with
 * its own inline cpuid (no libc there). */
#ifndef RESIDENT_IMAGE_CPU_H
#define RESIDENT_IMAGE_CPU_H

#include <stdint.h>

uint64_t cpu_signature(void);

#endif
