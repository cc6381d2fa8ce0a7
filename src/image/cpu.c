#include "cpu.h"

#include <cpuid.h>

#include "format.h"

uint64_t cpu_signature(void)
{
	unsigned r[4];
	uint64_t h = IMG_FNV_INIT;
	static const unsigned leaves[] = { 0, 1, 7 };
	for (unsigned i = 0; i < 3; i++) {
		__cpuid_count(leaves[i], 0, r[0], r[1], r[2], r[3]);
		if (leaves[i] == 1)
			r[1] &= 0x00ffffff;	/* EBX[31:24] is the APIC id of the CPU we run on */
		h = img_fnv(h, r, sizeof r);
	}
	return h;
}
