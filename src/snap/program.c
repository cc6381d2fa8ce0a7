/* program.c: the program a snap or check is about (program.h). */
#include "program.h"

#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "../image/read.h"
#include "../lib/err.h"
#include "../lib/exit.h"
#include "../lib/pathwalk.h"
#include "../proc/plainfile.h"
#include "trust.h"

/* absolute, "." and "//" dropped (they never change what a path names;
 * ".." may, through a symlink, and stays for the kernel to resolve) */
static char *absolute(const char *path)
{
	char cwd[PATH_MAX], buf[2 * PATH_MAX + 2], *out;
	if (path[0] != '/' && !getcwd(cwd, sizeof cwd))
		return NULL;
	snprintf(buf, sizeof buf, "%s%s%s", path[0] == '/' ? "" : cwd, path[0] == '/' ? "" : "/", path);
	if (!(out = malloc(strlen(buf) + 1)))
		return NULL;
	char *w = out;
	for (const char *r = buf; *r;) {
		if (r[0] == '/' && (r[1] == '/' || (r[1] == '.' && (r[2] == '/' || !r[2])))) {
			r += r[1] == '/' ? 1 : 2;
			continue;
		}
		*w++ = *r++;
	}
	if (w == out)
		*w++ = '/';
	*w = 0;
	if (strlen(out) >= PATH_MAX) {
		free(out);
		errno = ENAMETOOLONG;
		return NULL;
	}
	return out;
}

/* as execvp: a name with a slash is a path; else the first executable
 * PATH entry holding it */
static char *find(const char *prog)
{
	char buf[PATH_MAX];
	if (strchr(prog, '/'))
		return absolute(prog);
	const char *path = getenv("PATH");
	for (const char *p = path ? path : "/usr/bin:/bin"; *p;) {
		const char *end = strchr(p, ':');
		size_t n = end ? (size_t)(end - p) : strlen(p);
		if ((size_t)snprintf(buf, sizeof buf, "%.*s/%s", (int)n, n ? p : ".", prog) < sizeof buf &&
		    access(buf, X_OK) == 0)
			return absolute(buf);
		p += n + (end != NULL);
	}
	errno = ENOENT;
	return NULL;
}

static int hop(struct program *p, const char *path, const char *target)
{
	struct name_hop *v = realloc(p->hops, (p->nhops + 1) * sizeof *v);
	if (!v)
		return -1;
	p->hops = v;
	v[p->nhops] = (struct name_hop){ strdup(path), target ? strdup(target) : NULL };
	if (!v[p->nhops].path || (target && !v[p->nhops].target))
		return -1;
	p->nhops++;
	return 0;
}

/* each symlink the name passes through (its directory is where it could
 * be switched) and the file it ends at */
static int keep_hop(const struct path_step *s, void *arg)
{
	struct program *p = arg;
	if (s->err)
		return 0;	/* path_walk ends with it */
	if (s->target)
		return hop(p, s->entry, s->target) ? -ENOMEM : 0;
	if (s->last && (hop(p, s->entry, NULL) || !(p->real = strdup(s->entry))))
		return -ENOMEM;
	return 0;
}

/* Resolve name as the kernel does: p->hops and p->real.  0, or -errno. */
static int walk(struct program *p, const char *name)
{
	int e = path_walk(name, keep_hop, p);
	return e ? e : p->real ? 0 : -EISDIR;
}

void program_locate(const char *prog, struct program *p)
{
	memset(p, 0, sizeof *p);
	if (!*prog)
		die(EXIT_USAGE, "an empty program name");
	if (!(p->name = find(prog)))
		die_errno(EXIT_USAGE, -errno, "%s", prog);
	if (image_is(p->name)) {
		struct image im;
		char why[256];
		if (image_open(p->name, &im, why, sizeof why))
			die(EXIT_USAGE, "%s: an image, but %s", p->name, why);
		p->image = p->name;
		p->name = strdup(im.loc.orig);
		image_close(&im);
		if (!p->name)
			die(EXIT_FAIL, "out of memory");
		if (image_is(p->name))
			die(EXIT_USAGE, "%s: an image of an image", prog);
	}
	int e = walk(p, p->name);
	if (e)
		die_errno(EXIT_USAGE, e, "%s", p->name);
	if (stat(p->real, &p->st))
		die_errno(EXIT_USAGE, -errno, "%s", p->real);
}

int program_same_way(const struct program *p)
{
	struct program now = { 0 };
	int same = walk(&now, p->name) == 0 && now.nhops == p->nhops;
	for (size_t i = 0; same && i < p->nhops; i++)
		same = !strcmp(now.hops[i].path, p->hops[i].path) && !now.hops[i].target == !p->hops[i].target &&
		       (!p->hops[i].target || !strcmp(now.hops[i].target, p->hops[i].target));
	program_free(&now);
	return same;
}

void program_free(struct program *p)
{
	free(p->name);
	free(p->real);
	free(p->image);
	for (size_t i = 0; i < p->nhops; i++) {
		free(p->hops[i].path);
		free(p->hops[i].target);
	}
	free(p->hops);
	memset(p, 0, sizeof *p);
}

/* PT_INTERP of the ELF file open on fd: -1 none; 0 an absolute path,
 * now in buf; 1 one that cannot be run as `ld.so PROGRAM` */
static int find_interp(int fd, const Elf64_Ehdr *eh, char *buf, size_t size)
{
	for (int i = 0; i < eh->e_phnum && i < 256; i++) {
		Elf64_Phdr ph;
		if (pread(fd, &ph, sizeof ph, (off_t)(eh->e_phoff + (uint64_t)i * eh->e_phentsize)) != sizeof ph)
			break;
		if (ph.p_type != PT_INTERP)
			continue;
		if (ph.p_filesz == 0 || ph.p_filesz > size ||
		    pread(fd, buf, ph.p_filesz, (off_t)ph.p_offset) != (ssize_t)ph.p_filesz ||
		    buf[ph.p_filesz - 1] || buf[0] != '/')
			return 1;
		return 0;
	}
	return -1;
}

/* only a regular file is opened, not a FIFO, not a device */
static int open_regular(const char *path)
{
	int fd = plainfile_open_follow(path);
	if (fd < 0)
		errno = -fd;
	return fd < 0 ? -1 : fd;
}

void program_vet(const struct program *p)
{
	const char *path = p->name;
	if (!S_ISREG(p->st.st_mode))
		die(EXIT_USAGE, "%s: not a regular file", path);
	/* what a normal exec would refuse (ld.so PROGRAM needs only read) */
	if (access(p->real, X_OK))
		die_errno(EXIT_USAGE, -errno, "%s", path);
	/* root runs the program's ld.so and IFUNC resolvers to capture it:
	 * the program and its interpreter must be root's alone, their ways too */
	char why[2 * PATH_MAX], ip[PATH_MAX];
	if (geteuid() == 0 && (trust_path(p->name, why, sizeof why) ||
			       (program_interp(p->real, ip, sizeof ip) == 0 && trust_path(ip, why, sizeof why))))
		die(EXIT_USAGE, "%s: root does not run its code to capture it", why);
	if (p->st.st_mode & (S_ISUID | S_ISGID))
		die(EXIT_USAGE, "%s: set-user-ID or set-group-ID program: not captured", path);
	int fd = open_regular(p->real);
	if (fd < 0)
		die_errno(EXIT_USAGE, -errno, "%s", path);
	if (fgetxattr(fd, "security.capability", NULL, 0) >= 0)
		die(EXIT_USAGE, "%s: has file capabilities: not captured", path);
	unsigned char b[sizeof(Elf64_Ehdr)];
	ssize_t n = pread(fd, b, sizeof b, 0);
	if (n >= 2 && b[0] == '#' && b[1] == '!') {
		char line[256];
		ssize_t m = pread(fd, line, sizeof line - 1, 2);
		line[m > 0 ? m : 0] = 0;
		line[strcspn(line, "\n")] = 0;
		char *interp = line + strspn(line, " \t");
		interp[strcspn(interp, " \t")] = 0;
		die(EXIT_USAGE, "%s: a script: snap its interpreter (%s) instead", path, interp);
	}
	if (n < (ssize_t)sizeof(Elf64_Ehdr) || memcmp(b, ELFMAG, SELFMAG))
		die(EXIT_USAGE, "%s: not an ELF executable", path);
	Elf64_Ehdr eh;
	memcpy(&eh, b, sizeof eh);
	if (b[EI_CLASS] != ELFCLASS64 || eh.e_machine != EM_X86_64)
		die(EXIT_USAGE, "%s: not an x86_64 ELF program", path);
	char interp[PATH_MAX];
	int found = find_interp(fd, &eh, interp, sizeof interp);
	close(fd);
	if (found < 0)
		die(EXIT_USAGE, "%s: statically linked: no dynamic linking to save", path);
	/* the kernel finds a relative one from the caller's directory: what
	 * runs depends on where it is started (and, as root, on whose
	 * directory that is) */
	if (found > 0)
		die(EXIT_USAGE, "%s: its interpreter (PT_INTERP) is not an absolute path: not captured", path);
}

int program_interp(const char *path, char *buf, size_t size)
{
	int fd = open_regular(path), rc = -1;
	Elf64_Ehdr eh;
	if (fd < 0)
		return -1;
	if (pread(fd, &eh, sizeof eh, 0) == sizeof eh && find_interp(fd, &eh, buf, size) == 0)
		rc = 0;
	close(fd);
	return rc;
}

mode_t program_image_mode(const struct program *p)
{
	mode_t m = p->st.st_mode & 0755;
	return m | 0600;	/* its owner (who could read the original) reads and replaces it */
}
