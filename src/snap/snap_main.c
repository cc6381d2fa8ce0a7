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
#include "../lib/err.h"
#include "../lib/exit.h"
#include "capture.h"
#include "image_write.h"

extern const unsigned char _binary_loader_elf_start[], _binary_loader_elf_end[];
extern char **environ;

static const char usage_text[] =
	"usage: resident snap [-o IMAGE] PROGRAM\n"
	"\n"
	"Capture PROGRAM (a dynamically linked x86_64 ELF) after ld.so relocated it\n"
	"and before any constructor ran. The image is a drop-in executable: it starts\n"
	"the program by mapping the saved pages, and execs PROGRAM itself whenever\n"
	"anything it depends on changed.\n"
	"\n"
	"  -o, --output IMAGE  where to write it (default: $XDG_DATA_HOME/resident/bin/NAME,\n"
	"                      ~/.local/share/resident/bin/NAME; put that directory first in PATH)\n"
	"  -h, --help          this text\n"
	"\n"
	"RESIDENT_DEBUG=1 makes an image say why it runs the program normally.\n";

/* PROGRAM as execvp would find it, made absolute */
static char *locate(const char *prog)
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

/* refuse what an image cannot or need not serve, with the reason */
static void vet(const char *path)
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
	int dynamic = 0;
	for (int i = 0; i < eh.e_phnum; i++) {
		Elf64_Phdr ph;
		if (pread(fd, &ph, sizeof ph, (off_t)(eh.e_phoff + (uint64_t)i * eh.e_phentsize)) != sizeof ph)
			break;
		dynamic |= ph.p_type == PT_INTERP;
	}
	close(fd);
	if (!dynamic)
		die(EXIT_USAGE, "%s: statically linked: no dynamic linking to save", path);
}

static char *default_output(const char *prog)
{
	const char *xdg = getenv("XDG_DATA_HOME"), *home = getenv("HOME");
	char dir[PATH_MAX], *out;
	if (xdg && xdg[0] == '/')
		snprintf(dir, sizeof dir, "%s/resident/bin", xdg);
	else if (home)
		snprintf(dir, sizeof dir, "%s/.local/share/resident/bin", home);
	else
		die(EXIT_USAGE, "no -o, and neither XDG_DATA_HOME nor HOME is set");
	for (char *p = dir + 1; *p; p++)	/* mkdir -p */
		if (*p == '/') {
			*p = 0;
			mkdir(dir, 0755);
			*p = '/';
		}
	if (mkdir(dir, 0755) && errno != EEXIST)
		die_errno(EXIT_FAIL, -errno, "%s", dir);
	const char *base = strrchr(prog, '/');
	if (asprintf(&out, "%s/%s", dir, base ? base + 1 : prog) < 0)
		die(EXIT_FAIL, "out of memory");
	return out;
}

int cmd_snap(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "output", required_argument, 0, 'o' }, { "help", no_argument, 0, 'h' }, { 0, 0, 0, 0 },
	};
	const char *out = NULL;
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "+o:h", lo, NULL)) != -1) {
		switch (c) {
		case 'o': out = optarg; break;
		case 'h': fputs(usage_text, stdout); return EXIT_OK;
		default: fputs(usage_text, stderr); return EXIT_USAGE;
		}
	}
	if (argc - optind != 1) {
		fputs(usage_text, stderr);
		return EXIT_USAGE;
	}
	const char *prog = argv[optind];
	char *path = locate(prog);
	if (!path)
		die_errno(EXIT_USAGE, -errno, "%s", prog);
	vet(path);
	char *dflt = out ? NULL : default_output(path);
	if (!out)
		out = dflt;

	/* the capture runs with the caller's environment, bound now */
	size_t ne = 0;
	while (environ[ne])
		ne++;
	char **env = calloc(ne + 2, sizeof *env);
	size_t k = 0;
	for (size_t i = 0; i < ne; i++)
		if (strncmp(environ[i], "LD_BIND_NOW=", 12))
			env[k++] = environ[i];
	env[k++] = "LD_BIND_NOW=1";
	char *cargv[] = { path, NULL };

	struct capture cap;
	char why[512];
	if (capture_run(path, cargv, env, &cap, why, sizeof why))
		die(EXIT_FAIL, "%s: %s", path, why);
	struct image_in in = { .cap = &cap, .orig = path, .env = env, .loader = _binary_loader_elf_start,
			       .loader_size = (size_t)(_binary_loader_elf_end - _binary_loader_elf_start) };
	unsigned char *img;
	size_t size;
	if (image_build(&in, &img, &size, why, sizeof why))
		die(EXIT_FAIL, "%s: %s", path, why);
	int e = image_write_file(out, img, size);
	if (e < 0)
		die_errno(EXIT_FAIL, e, "%s", out);
	printf("%s: image of %s, %zu kB\n", out, path, size / 1024);
	capture_free(&cap);
	free(img);
	free(env);
	free(path);
	free(dflt);
	return EXIT_OK;
}
