/* fuzz_proc: libFuzzer target for every /proc parser and the role
 * classifier.  The first byte picks the parser; the rest is the file. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "../../src/cost/role.h"
#include "../../src/proc/kvfile.h"
#include "../../src/proc/smaps.h"

static int classify(void *ctx, const struct vma *v)
{
	int cont;
	enum role r = role_classify(ctx, v, &cont);
	if ((unsigned)r >= ROLE_N || v->pathlen != strlen(v->path) || v->end < v->start)
		__builtin_trap();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct smaps_reader r = SMAPS_READER_ZERO;
	struct parse_error pe = { 0, NULL };
	if (size < 1)
		return 0;
	const char *text = (const char *)data + 1;
	size_t len = size - 1;
	int rc;
	switch (data[0] % 4) {
	case 0: {
		struct role_ctx rc_ctx;
		role_start(&rc_ctx, "/usr/bin/x", size > 1 && data[1] & 1);
		lr_from_mem(&r.lr, text, len);
		rc = smaps_parse(&r, classify, &rc_ctx, &pe);
		role_end(&rc_ctx);
		break;
	}
	case 1: {
		struct status st;
		lr_from_mem(&r.lr, text, len);
		rc = status_parse(&r.lr, &st, &pe);
		break;
	}
	default: {
		uint64_t v[MI_NFIELDS], seen = 0;
		lr_from_mem(&r.lr, text, len);
		rc = kv_parse(&r.lr, meminfo_keys, MI_NFIELDS, data[0] % 4 == 2 ? ':' : ' ', v, &seen, &pe);
		break;
	}
	}
	/* an error always says why and where */
	if (rc == -22 && (!pe.reason || pe.line == 0))
		__builtin_trap();
	return 0;
}
