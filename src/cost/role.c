#include "role.h"

#include <stdlib.h>
#include <string.h>

#include "../image/format.h"

const char *const role_name[ROLE_N] = {
	[ROLE_TEXT] = "text", [ROLE_DATA] = "data", [ROLE_HEAP] = "heap",
	[ROLE_STACK] = "stack", [ROLE_LDSO] = "ldso", [ROLE_LIBC] = "libc",
	[ROLE_LIBS] = "libs", [ROLE_ANON] = "anon", [ROLE_FILES] = "files",
	[ROLE_SPECIAL] = "special", [ROLE_IMAGE] = "image",
};

static int starts(const char *s, const char *p)
{
	return strncmp(s, p, strlen(p)) == 0;
}

static int ends(const char *s, const char *suffix)
{
	size_t n = strlen(s), k = strlen(suffix);
	return n >= k && !strcmp(s + n - k, suffix);
}

enum file_kind file_kind_of(const char *path)
{
	const char *b = strrchr(path, '/');
	b = b ? b + 1 : path;
	/* musl's ld-musl-ARCH.so.1 is its libc too: count it as libc */
	if (starts(b, "ld-musl-") || starts(b, "libc.musl-"))
		return FK_LIBC;
	if (starts(b, "ld-linux") || starts(b, "ld64.so") ||
	    (starts(b, "ld-") && strstr(b, ".so")))
		return FK_LDSO;
	if (starts(b, "libc.so") || starts(b, "libc-2.") || starts(b, "libc-"))
		return strstr(b, ".so") ? FK_LIBC : FK_OTHER;
	const char *so = strstr(b, ".so");
	if (so && (so[3] == 0 || so[3] == '.' || so[3] == ' '))
		return FK_LIB;
	return FK_OTHER;
}

void role_start(struct role_ctx *c, const char *exe, int exe_is_image)
{
	c->exe = exe ? exe : "";
	c->image = exe_is_image;
	c->program = NULL;
	c->prev_end = 0;
	c->prev_role = -1;
	c->prev_lib = -1;
}

void role_end(struct role_ctx *c)
{
	free(c->program);
	c->program = NULL;
}

enum role role_classify(struct role_ctx *c, const struct vma *v, int *lib_continues)
{
	const char *p = v->path;
	enum role r;
	int file = 0;
	*lib_continues = 0;

	if (p[0] == 0) {
		/* bss of the file mapped just before, or a plain anonymous mapping */
		if (c->prev_role >= 0 && c->prev_end == v->start && v->perms[1] == 'w') {
			r = c->prev_role == ROLE_TEXT ? ROLE_DATA : (enum role)c->prev_role;
			*lib_continues = 1;
		} else {
			r = ROLE_ANON;
		}
		c->prev_role = -1;
		c->prev_end = v->end;
		return r;
	}
	if (p[0] == '[') {
		if (!strcmp(p, "[heap]"))
			r = ROLE_HEAP;
		else if (starts(p, "[stack"))
			r = ROLE_STACK;
		else if (!strcmp(p, "[vdso]") || !strcmp(p, "[vvar]") || !strcmp(p, "[vsyscall]") ||
			 starts(p, "[vvar_") || !strcmp(p, "[uprobes]"))
			r = ROLE_SPECIAL;
		else
			r = ROLE_ANON;	/* [anon:NAME] from prctl(PR_SET_VMA_ANON_NAME) */
	} else if (ends(p, IMG_PAGES_SUFFIX)) {
		/* a system image's saved pages, from its sidecar */
		r = ROLE_IMAGE;
	} else if (c->exe[0] && !strcmp(p, c->exe) && (c->image || v->start == LOADER_BASE)) {
		/* a resident image: its saved pages (and the loader, while it
		 * runs, at LOADER_BASE); the program is mapped from its own file */
		c->image = 1;
		r = ROLE_IMAGE;
	} else if (c->image && !c->program && p[0] == '/' && file_kind_of(p) == FK_OTHER) {
		c->program = strdup(p);
		r = ROLE_TEXT;
		file = 1;
	} else if ((c->exe[0] && !strcmp(p, c->exe)) || (c->program && !strcmp(p, c->program))) {
		/* written pages (data, and RELRO that was written then made
		 * read-only) are data; decide by content, not permissions */
		r = (v->perms[1] == 'w' || v->kb[SM_ANONYMOUS] > 0) ? ROLE_DATA : ROLE_TEXT;
		file = 1;
	} else {
		switch (file_kind_of(p)) {
		case FK_LDSO: r = ROLE_LDSO; break;
		case FK_LIBC: r = ROLE_LIBC; break;
		case FK_LIB: r = ROLE_LIBS; break;
		default: r = ROLE_FILES; break;
		}
		file = r != ROLE_FILES;
	}
	c->prev_role = file ? (int)r : -1;
	c->prev_end = v->end;
	return r;
}
