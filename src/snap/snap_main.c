/* snap_main.c: `resident snap PROGRAM [-o IMAGE]`: capture a dynamically
 * linked program after ld.so relocated it, before any constructor ran. */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "../cli/cli.h"
#include "../image/format.h"
#include "../lib/err.h"
#include "../lib/exit.h"
#include "../lib/phase.h"
#include "capture.h"
#include "image_write.h"
#include "imgdir.h"

extern const unsigned char _binary_loader_elf_start[], _binary_loader_elf_end[];
extern char **environ;

static const char usage_text[] =
	"usage: resident snap [--system] [--as-exec] [--layouts K] [-o IMAGE] PROGRAM\n"
	"\n"
	"Capture PROGRAM (a dynamically linked x86_64 ELF) after ld.so relocated it\n"
	"and before any constructor ran. The image is a drop-in executable: it starts\n"
	"the program by mapping the saved pages, and execs PROGRAM itself whenever\n"
	"anything it depends on changed.\n"
	"\n"
	"  -o, --output IMAGE  where to write it (default: the image directory,\n"
	"                      $XDG_DATA_HOME/resident or ~/.local/share/resident: the image in\n"
	"                      root/PREFIX/bin/NAME, linked from bin/NAME; put bin first in PATH)\n"
	"      --system        a system image: the saved pages go to a sidecar\n"
	"                      (.NAME.resident-pages beside the image), so that where the\n"
	"                      user running it has CAP_CHECKPOINT_RESTORE (root does),\n"
	"                      /proc/self/exe names PROGRAM, not the image; default\n"
	"                      directory /usr/local/lib/resident ($RESIDENT_SYSTEM_DIR)\n"
	"      --as-exec       capture the program as exec'd, not through ld.so\n"
	"                      (which maps the executable beside its libraries)\n"
	"      --layouts K     K captures, each at the addresses its run got, in one\n"
	"                      image; each exec picks one at random (per-run layout\n"
	"                      randomisation, log2(K) bits; K from 1 to 16, default 1)\n"
	"  -h, --help          this text\n"
	"\n"
	"RESIDENT_DEBUG=1 makes an image say why it runs the program normally, and\n"
	"snap print where its time goes.\n";

/* PROGRAM as execvp would find it, made absolute */
char *snap_locate(const char *prog)
{
	char buf[PATH_MAX];
	if (strchr(prog, '/'))
		return realpath(prog, NULL);
	const char *path = getenv("PATH");
	for (const char *p = path ? path : "/usr/bin:/bin"; *p;) {
		const char *end = strchr(p, ':');
		size_t n = end ? (size_t)(end - p) : strlen(p);
		if ((size_t)snprintf(buf, sizeof buf, "%.*s/%s", (int)n, n ? p : ".", prog) < sizeof buf &&
		    access(buf, X_OK) == 0)
			return realpath(buf, NULL);
		p += n + (end != NULL);
	}
	errno = ENOENT;
	return NULL;
}

/* PT_INTERP of the ELF file open on fd: -1 none; 0 an absolute path,
 * now in buf; 1 one that cannot be run as `ld.so PROGRAM` */
static int find_interp(int fd, const Elf64_Ehdr *eh, char *buf, size_t size)
{
	for (int i = 0; i < eh->e_phnum; i++) {
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

/* refuse what an image cannot or need not serve, with the reason */
void snap_vet(const char *path)
{
	struct stat st;
	if (stat(path, &st) || !S_ISREG(st.st_mode))
		die(EXIT_USAGE, "%s: not a regular file", path);
	if (st.st_mode & (S_ISUID | S_ISGID))
		die(EXIT_USAGE, "%s: set-user-ID or set-group-ID program: not captured", path);
	if (getxattr(path, "security.capability", NULL, 0) >= 0)
		die(EXIT_USAGE, "%s: has file capabilities: not captured", path);
	unsigned char b[sizeof(Elf64_Ehdr)];
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n = fd < 0 ? -1 : read(fd, b, sizeof b);
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
	int dynamic = find_interp(fd, &eh, interp, sizeof interp) >= 0;
	close(fd);
	if (!dynamic)
		die(EXIT_USAGE, "%s: statically linked: no dynamic linking to save", path);
}

/* the sidecar of a system image: .NAME.resident-pages beside it, absolute
 * (the loader opens it from any directory); malloc'd */
static char *sidecar_of(const char *out)
{
	char dir[PATH_MAX], *abs, *side;
	const char *slash = strrchr(out, '/');
	snprintf(dir, sizeof dir, "%.*s", slash ? (int)(slash - out) : 1, slash ? (slash == out ? "/" : out) : ".");
	if (!(abs = realpath(dir, NULL)))
		die_errno(EXIT_FAIL, -errno, "%s", dir);
	if (asprintf(&side, "%s/.%s" IMG_PAGES_SUFFIX, strcmp(abs, "/") ? abs : "", slash ? slash + 1 : out) < 0)
		die(EXIT_FAIL, "out of memory");
	free(abs);
	return side;
}

/* the PT_INTERP of a file; 0, or -1 if it has none or not an absolute path */
static int elf_interp(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC), rc = -1;
	Elf64_Ehdr eh;
	if (fd < 0)
		return -1;
	if (pread(fd, &eh, sizeof eh, 0) == sizeof eh && find_interp(fd, &eh, buf, size) == 0)
		rc = 0;
	close(fd);
	return rc;
}

/* K captures must be K different layouts: the same addresses twice means
 * the kernel did not randomise them (randomize_va_space 0, setarch -R) */
static void vet_layout(const char *path, const struct capture *caps, int k)
{
	for (int j = 0; j < k; j++)
		if (caps[j].at_base == caps[k].at_base && caps[j].at_phdr == caps[k].at_phdr &&
		    caps[j].sp == caps[k].sp)
			die(EXIT_FAIL, "%s: captures %d and %d have the same addresses: address space "
				       "randomisation is off (kernel.randomize_va_space, setarch -R)", path, j + 1, k + 1);
}

/* capture `path` into an image at `out` (a system image: saved pages in a
 * sidecar); its size, or dies with one line, leaving nothing half-written */
size_t snap_to(const char *path, const char *out, const struct snap_opts *o)
{
	/* the capture runs with the caller's environment, bound now */
	size_t ne = 0;
	while (environ[ne])
		ne++;
	char **env = calloc(ne + 2, sizeof *env);
	if (!env)
		die(EXIT_FAIL, "out of memory");
	size_t k = 0;
	for (size_t i = 0; i < ne; i++)
		if (strncmp(environ[i], "LD_BIND_NOW=", 12))
			env[k++] = environ[i];
	env[k++] = "LD_BIND_NOW=1";
	char interp[PATH_MAX];
	int via_ldso = !o->as_exec && elf_interp(path, interp, sizeof interp) == 0;
	int nlay = o->layouts > 0 ? o->layouts : 1;
	phase("start");
	struct capture caps[IMG_LAYOUTS_MAX];
	const struct capture *cp[IMG_LAYOUTS_MAX];
	char why[512], ptmp[PATH_MAX + 32] = "", itmp[PATH_MAX + 32];
	struct image_in in = { .caps = cp, .ncaps = nlay, .orig = path, .env = env,
			       .loader = _binary_loader_elf_start,
			       .loader_size = (size_t)(_binary_loader_elf_end - _binary_loader_elf_start) };
	struct image_out img, pages = { 0 };
	int e, ncap;
	if (o->system)
		in.pages_path = sidecar_of(out);
	/* through ld.so first, so that the program lands beside its
	 * libraries; as exec'd where that cannot be exact */
	for (;; via_ldso = 0) {
		char *lv[] = { interp, (char *)path, NULL }, *pv[] = { (char *)path, NULL };
		int ok = 1;
		for (ncap = 0; ok && ncap < nlay; ncap++) {
			cp[ncap] = &caps[ncap];
			ok = capture_run(via_ldso ? interp : path, via_ldso ? lv : pv, env, via_ldso, &caps[ncap], why,
					 sizeof why) == 0;
			if (ok)
				vet_layout(path, caps, ncap);
		}
		if (ok) {
			if (o->system) {
				if (image_pages(cp, nlay, &pages))
					die(EXIT_FAIL, "out of memory");
				e = image_stage(in.pages_path, &pages, 0644, ptmp, sizeof ptmp, &in.pages_st);
				if (e < 0)
					die_errno(EXIT_FAIL, e, "%s", in.pages_path);
			}
			if (image_build(&in, &img, why, sizeof why) == 0)
				break;
			if (ptmp[0])
				unlink(ptmp);
			ptmp[0] = 0;
			image_out_free(&pages);
		}
		for (int i = 0; i < ncap; i++)
			capture_free(&caps[i]);
		if (!via_ldso)
			die(EXIT_FAIL, "%s: %s", path, why);
		if (debug_on())
			fprintf(stderr, "%s: through %s: %s; captured as exec'd\n", err_prog, interp, why);
	}
	phase("lay out");
	if ((e = image_stage(out, &img, 0755, itmp, sizeof itmp, NULL)) < 0) {
		if (ptmp[0])
			unlink(ptmp);
		die_errno(EXIT_FAIL, e, "%s", out);
	}
	/* sidecar first: an older image beside it sees its pages change and
	 * runs the program normally until the new image is in place */
	if (ptmp[0] && rename(ptmp, in.pages_path)) {
		e = -errno;
		unlink(ptmp);
		unlink(itmp);
		die_errno(EXIT_FAIL, e, "%s", in.pages_path);
	}
	if (rename(itmp, out)) {
		e = -errno;
		unlink(itmp);
		if (ptmp[0])
			unlink(in.pages_path);
		die_errno(EXIT_FAIL, e, "%s", out);
	}
	phase("rename");
	size_t size = img.size + pages.size;
	image_out_free(&img);
	image_out_free(&pages);
	for (int i = 0; i < ncap; i++)
		capture_free(&caps[i]);
	free((char *)in.pages_path);
	free(env);
	return size;
}

int cmd_snap(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "output", required_argument, 0, 'o' }, { "system", no_argument, 0, 'S' },
		{ "as-exec", no_argument, 0, 'E' }, { "layouts", required_argument, 0, 'K' },
		{ "help", no_argument, 0, 'h' }, { 0, 0, 0, 0 },
	};
	const char *out = NULL;
	struct snap_opts so = { .layouts = 1 };
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "+o:h", lo, NULL)) != -1) {
		switch (c) {
		case 'o': out = optarg; break;
		case 'S': so.system = 1; break;
		case 'E': so.as_exec = 1; break;
		case 'K': {
			char *end;
			errno = 0;
			long k = strtol(optarg, &end, 10);
			if (errno || end == optarg || *end || k < 1 || k > IMG_LAYOUTS_MAX)
				die(EXIT_USAGE, "--layouts %s: not a number from 1 to %d", optarg, IMG_LAYOUTS_MAX);
			so.layouts = (int)k;
			break;
		}
		case 'h': fputs(usage_text, stdout); return EXIT_OK;
		default: fputs(usage_text, stderr); return EXIT_USAGE;
		}
	}
	if (argc - optind != 1) {
		fputs(usage_text, stderr);
		return EXIT_USAGE;
	}
	const char *prog = argv[optind];
	char *path = snap_locate(prog);
	if (!path)
		die_errno(EXIT_USAGE, -errno, "%s", prog);
	snap_vet(path);
	char *dflt = out ? NULL : imgdir_place(path, so.system);
	if (!out)
		out = dflt;

	size_t size = snap_to(path, out, &so);
	if (so.layouts > 1)
		printf("%s: image of %s, %zu kB, %d layouts\n", out, path, size / 1024, so.layouts);
	else
		printf("%s: image of %s, %zu kB\n", out, path, size / 1024);
	free(path);
	free(dflt);
	return EXIT_OK;
}
