/* stackref.c: a pointer into the capture's stack, named by what it points
 * to (the initial stack pointer, argv, an argument's string, a variable by
 * its name...), so that the loader points it at the same thing in a run
 * whose stack holds other arguments at other addresses. */
#include "stackref.h"

#include <string.h>

#include "../image/format.h"

static const char *cstr_at(const struct capture *c, uint64_t addr)
{
	if (addr < c->stack_lo || addr >= c->stack_hi)
		return NULL;
	const char *s = (const char *)c->stack + (addr - c->stack_lo);
	return memchr(s, 0, c->stack_hi - addr) ? s : NULL;
}

static uint64_t word_at(const struct capture *c, uint64_t addr)
{
	uint64_t w;
	memcpy(&w, c->stack + (addr - c->stack_lo), 8);
	return w;
}

static int ref(struct stackref *r, uint32_t kind, int64_t arg, uint32_t index)
{
	r->kind = kind;
	r->arg = arg;
	r->index = index;
	r->name[0] = 0;
	return 0;
}

/* the offset of argv[0]'s short name (after its last '/'); 0: no '/' */
static uint64_t base_of(const char *s)
{
	const char *b = strrchr(s, '/');
	return b ? (uint64_t)(b + 1 - s) : 0;
}

int stackref_of(const struct capture *c, uint64_t v, struct stackref *r)
{
	/* after init, the frames of __libc_start_main (and stale pointers to
	 * the constructors' dead frames) lie below sp: they move with it */
	if (c->frames && v >= c->stack_lo && v < c->sp)
		return ref(r, IFX_STACK_TOP, (int64_t)(v - c->sp), 0);
	if (v >= c->sp && v < c->argv)
		return ref(r, IFX_STACK_TOP, (int64_t)(v - c->sp), 0);
	if (v >= c->argv && v < c->argv + 8 * (c->argc + 1))
		return ref(r, IFX_ARGV, (int64_t)(v - c->argv), 0);
	if (v >= c->envp && v < c->auxv)
		return ref(r, IFX_ENVP, (int64_t)(v - c->envp), 0);
	if (v >= c->auxv && v < c->auxv_end)
		return ref(r, IFX_AUXV, (int64_t)(v - c->auxv), 0);
	if (c->at_random && v >= c->at_random && v < c->at_random + 16)
		return ref(r, IFX_AT_RANDOM, (int64_t)(v - c->at_random), 0);
	const char *s;
	if (c->at_platform && (s = cstr_at(c, c->at_platform)) && v >= c->at_platform &&
	    v <= c->at_platform + strlen(s))
		return ref(r, IFX_AT_PLATFORM, (int64_t)(v - c->at_platform), 0);
	for (uint64_t i = 0; i < c->argc; i++) {
		uint64_t a = word_at(c, c->argv + 8 * i);
		if (!(s = cstr_at(c, a)) || v < a || v > a + strlen(s))
			continue;
		/* program_invocation_short_name: after init it is named as
		 * what it is, since each run's argv[0] puts it elsewhere */
		uint64_t b = base_of(s);
		if (c->frames && i == 0 && b && v >= a + b)
			return ref(r, IFX_ARG0_BASE, (int64_t)(v - a - b), 0);
		return ref(r, IFX_ARG_STRING, (int64_t)(v - a), (uint32_t)i);
	}
	for (uint64_t e = c->envp; e + 8 < c->auxv; e += 8) {
		uint64_t a = word_at(c, e);
		const char *eq;
		if ((s = cstr_at(c, a)) && v >= a && v <= a + strlen(s) && (eq = strchr(s, '='))) {
			size_t nl = (size_t)(eq - s) < sizeof r->name - 2 ? (size_t)(eq - s) : sizeof r->name - 2;
			ref(r, IFX_ENV_STRING, (int64_t)(v - a), 0);
			memcpy(r->name, s, nl);
			r->name[nl] = '=';
			r->name[nl + 1] = 0;
			return 0;
		}
	}
	/* AT_EXECFN last: it is also argv[0]'s neighbour in the strings */
	if (c->at_execfn && (s = cstr_at(c, c->at_execfn)) && v >= c->at_execfn && v <= c->at_execfn + strlen(s))
		return ref(r, IFX_AT_EXECFN, (int64_t)(v - c->at_execfn), 0);
	return -1;
}

int stackref_same(const struct stackref *a, const struct stackref *b)
{
	return a->kind == b->kind && a->arg == b->arg && a->index == b->index && !strcmp(a->name, b->name);
}
