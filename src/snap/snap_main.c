/* snap_main.c: `resident snap PROGRAM [-o IMAGE]`: capture a dynamically
 * linked program after ld.so relocated it, before any constructor ran. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "../cli/cli.h"
#include "../cli/usage.h"
#include "../image/format.h"
#include "../lib/exit.h"
#include "imgdir.h"
#include "program.h"
#include "snap.h"

static const char usage_text[] =
	"usage: resident snap [--after-init] [--system] [--as-exec] [--layouts K] [-o IMAGE] PROGRAM\n"
	"       resident snap --prefault [OPTION...] PROGRAM -- [ARG...]\n"
	"\n"
	"Capture PROGRAM (a dynamically linked x86_64 ELF) after ld.so relocated it\n"
	"and before any constructor ran. The image is a drop-in executable: it starts\n"
	"the program by mapping the saved pages, and execs PROGRAM itself (by the\n"
	"name given, symlinks and all) whenever anything a normal exec would look at\n"
	"changed. An image given as PROGRAM stands for its original.\n"
	"\n"
	"      --after-init    capture at main instead, after every constructor ran,\n"
	"                      if the evidence says that is exact: the constructors made\n"
	"                      memory syscalls only, read no clock, argument or CPU, and\n"
	"                      a second run with other arguments, environment, PID, time\n"
	"                      and random bytes left the same memory; the variables they\n"
	"                      asked getenv for and argv[0]'s name are checked at each\n"
	"                      start; else it says why and writes nothing\n"
	"      --prefault      run the image once with ARGs (stdin /dev/null, output\n"
	"                      discarded, its effects real) and keep what it had mapped\n"
	"                      at its exit: each start populates those pages in a few\n"
	"                      madvise calls instead of a page fault each\n"
	"  -o, --output IMAGE  where to write it (default: the image directory,\n"
	"                      $XDG_DATA_HOME/resident or ~/.local/share/resident: the image in\n"
	"                      root/PREFIX/bin/NAME, linked from bin/NAME; put bin first in PATH)\n"
	"      --system        a system image: the saved pages go to a sidecar\n"
	"                      (.NAME.XXXXXX.resident-pages beside the image), so that where\n"
	"                      the user running it has CAP_CHECKPOINT_RESTORE (root does),\n"
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
	"snap print where its time goes; RESIDENT_DEBUG=2 also makes an image say\n"
	"that it restored.\n"
	"exit: 0 written, 2 usage or a program that cannot be captured, 4 failure\n";

/* where the image directory's bin/ is not in PATH yet: the line that
 * puts it there */
static void path_hint(int system)
{
	char *base = imgdir_base(system), bin[PATH_MAX + 8];
	const char *path = getenv("PATH");
	if (!base)
		return;
	snprintf(bin, sizeof bin, "%s/bin", base);
	free(base);
	size_t n = strlen(bin);
	for (const char *p = path ? path : ""; *p; p += strcspn(p, ":"), p += *p == ':')
		if (!strncmp(p, bin, n) && (p[n] == ':' || !p[n]))
			return;
	printf("to run it by its name, put its directory first in PATH:\n  export PATH=\"%s:$PATH\"\n", bin);
}

int cmd_snap(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "output", required_argument, 0, 'o' }, { "system", no_argument, 0, 'S' },
		{ "as-exec", no_argument, 0, 'E' }, { "layouts", required_argument, 0, 'K' },
		{ "after-init", no_argument, 0, 'A' }, { "prefault", no_argument, 0, 'P' },
		{ "help", no_argument, 0, 'h' }, { 0, 0, 0, 0 },
	};
	const char *out = NULL;
	struct snap_opts so = { .layouts = 1 };
	int c;
	usage_init("snap");
	while ((c = getopt_long(argc, argv, ":o:h", lo, NULL)) != -1) {
		switch (c) {
		case 'o': out = optarg; break;
		case 'S': so.system = 1; break;
		case 'E': so.as_exec = 1; break;
		case 'A': so.after_init = 1; break;
		case 'P': so.prefault = 1; break;
		case 'K': so.layouts = usage_layouts(optarg); break;
		case 'h': return usage_help(usage_text);
		default: usage_bad_option(c, argv);
		}
	}
	if (argc == optind)
		usage_fail("missing PROGRAM");
	if (argc - optind > 1 && !so.prefault)
		usage_fail("%s: one PROGRAM at a time", argv[optind + 1]);
	so.train_args = &argv[optind + 1];
	struct program p;
	program_locate(argv[optind], &p);
	program_vet(&p);
	char *dflt = NULL;
	size_t size = snap_to(&p, out, &so, &dflt);
	if (!out)
		out = dflt;
	printf("%s: %simage of %s, %zu kB", out, so.after_init ? "after-init " : "", p.name, size / 1024);
	if (so.layouts > 1)
		printf(", %d layouts", so.layouts);
	putchar('\n');
	if (dflt)
		path_hint(so.system);
	program_free(&p);
	free(dflt);
	return EXIT_OK;
}
