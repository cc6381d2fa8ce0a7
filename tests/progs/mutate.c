/* mutate: damage an image region by region and classify what each damaged
 * copy does when run.
 *
 *   mutate [-n CASES] [-s SEED] [-t SECONDS] -i IMAGE -o EXPECTED_STDOUT
 *          -x EXPECTED_STATUS [-r NAME:FILE:START:END:POLICY]... -- ARGV...
 *
 * For each region (bytes START to END of FILE, the image or a system
 * image's sidecar) and each kind of damage (a flipped bit, a byte written,
 * an 8-byte word written with 0, ~0, a random value or a nearby one, the
 * file cut short), CASES damaged copies are run as ARGV[0] with the rest of
 * ARGV, RESIDENT_DEBUG=1, and a time limit (SIGALRM survives exec), then
 * classified:
 *
 *   same      the expected stdout and status, nothing on stderr (restored)
 *   fallback  the same, after the loader's one line "...: running PROGRAM"
 *   error     exit 126 or 127, no stdout, one line on stderr ("resident: ...")
 *   refused   the kernel would not exec it (a damaged ELF header)
 *   crash     killed by a signal        hang   killed by the time limit
 *   wrong     anything else: the one outcome never acceptable
 *
 * POLICY strict: only same, fallback or error are acceptable (tables,
 * locator, padding); cuts: so for cuts, counted for the rest (an image's
 * saved pages, which the loader never reads for a checksum but whose
 * file's size it checks); report: counted only (the loader's own code).  Prints a table;
 * exits 1 if a strict region had anything else, with one line per case. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

enum { SAME, FALLBACK, ERROR, REFUSED, CRASH, HANG, WRONG, NCLASS };
static const char *const class_name[] = { "same", "fallback", "error", "refused", "crash", "hang", "wrong" };
enum { FLIP, BYTE, WORD, CUT, NKIND };
static const char *const kind_name[] = { "flip", "byte", "word", "cut" };

struct region {
	char name[64], file[4096];
	uint64_t start, end;
	int strict;	/* 1: every kind; 2: cuts only (a cut changes the size, which is checked) */
};

static uint64_t rng;
static uint64_t next(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static unsigned char *slurp(const char *path, size_t *n)
{
	int fd = open(path, O_RDONLY);
	struct stat st;
	if (fd < 0 || fstat(fd, &st)) {
		perror(path);
		exit(2);
	}
	unsigned char *b = malloc((size_t)st.st_size + 1);
	if (!b || read(fd, b, (size_t)st.st_size) != st.st_size) {
		perror(path);
		exit(2);
	}
	close(fd);
	*n = (size_t)st.st_size;
	return b;
}

static void put(const char *path, const unsigned char *b, size_t n, off_t at, int truncate_to)
{
	int fd = open(path, O_WRONLY);
	if (fd < 0 || pwrite(fd, b, n, at) != (ssize_t)n || (truncate_to >= 0 && ftruncate(fd, truncate_to))) {
		perror(path);
		exit(2);
	}
	close(fd);	/* before the exec: a file open for writing cannot be run */
}

static unsigned char *out_want;
static size_t out_want_n;
static int status_want, seconds = 10;
static char **argv_run;

static int run_one(char *detail, size_t dn)
{
	int out = memfd_create("out", 0), err = memfd_create("err", 0);
	pid_t p = fork();
	if (p == 0) {
		dup2(out, 1);
		dup2(err, 2);
		alarm((unsigned)seconds);
		setenv("RESIDENT_DEBUG", "1", 1);
		execv(argv_run[0], argv_run);
		_exit(98);	/* the kernel refused the file */
	}
	int st;
	waitpid(p, &st, 0);
	off_t no = lseek(out, 0, SEEK_END), ne = lseek(err, 0, SEEK_END);
	char *o = malloc((size_t)no + 1), *e = malloc((size_t)ne + 1);
	pread(out, o, (size_t)no, 0);
	pread(err, e, (size_t)ne, 0);
	o[no] = e[ne] = 0;
	close(out);
	close(err);
	int c;
	char *nl = memchr(e, '\n', (size_t)ne);
	int one_line = nl && nl == e + ne - 1;
	int out_ok = (size_t)no == out_want_n && !memcmp(o, out_want, out_want_n);
	if (WIFSIGNALED(st))
		c = WTERMSIG(st) == SIGALRM ? HANG : CRASH;
	else if (WEXITSTATUS(st) == 98 && no == 0 && ne == 0)
		c = REFUSED;
	else if (out_ok && WEXITSTATUS(st) == status_want && ne == 0)
		c = SAME;
	else if (out_ok && WEXITSTATUS(st) == status_want && one_line && !strncmp(e, "resident: ", 10) &&
		 strstr(e, ": running "))
		c = FALLBACK;
	else if ((WEXITSTATUS(st) == 126 || WEXITSTATUS(st) == 127) && no == 0 && (one_line || ne == 0))
		c = ERROR;	/* (cut in the loader's read-only data, its line loses its words) */
	else
		c = WRONG;
	snprintf(detail, dn, "status %d%s, stdout %lld bytes, stderr: %.150s", WIFSIGNALED(st) ? WTERMSIG(st) : WEXITSTATUS(st),
		 WIFSIGNALED(st) ? " (signal)" : "", (long long)no, ne ? e : "");
	char *cr = strchr(detail, '\n');
	if (cr)
		*cr = 0;
	free(o);
	free(e);
	return c;
}

int main(int argc, char **argv)
{
	struct region reg[64];
	int nreg = 0, cases = 10, c;
	const char *image = NULL, *want = NULL;
	rng = 0x9e3779b97f4a7c15ull;
	while ((c = getopt(argc, argv, "n:s:t:i:o:x:r:")) != -1) {
		switch (c) {
		case 'n': cases = atoi(optarg); break;
		case 's': rng ^= strtoull(optarg, NULL, 0) * 0x100000001b3ull; break;
		case 't': seconds = atoi(optarg); break;
		case 'i': image = optarg; break;
		case 'o': want = optarg; break;
		case 'x': status_want = atoi(optarg); break;
		case 'r': {
			struct region *r = &reg[nreg++];
			char pol[16];
			if (nreg > 64 || sscanf(optarg, "%63[^:]:%4095[^:]:%lu:%lu:%15s", r->name, r->file, &r->start,
						&r->end, pol) != 5 || r->end <= r->start) {
				fprintf(stderr, "mutate: -r %s: NAME:FILE:START:END:POLICY\n", optarg);
				return 2;
			}
			r->strict = !strcmp(pol, "strict") ? 1 : !strcmp(pol, "cuts") ? 2 : 0;
			break;
		}
		default: return 2;
		}
	}
	if (!image || !want || optind >= argc) {
		fprintf(stderr, "usage: mutate -i IMAGE -o STDOUT -x STATUS -r NAME:FILE:START:END:POLICY... -- ARGV...\n");
		return 2;
	}
	argv_run = argv + optind;
	out_want = slurp(want, &out_want_n);
	int bad = 0;
	printf("%-16s %-5s %5s", "region", "kind", "runs");
	for (int k = 0; k < NCLASS; k++)
		printf(" %8s", class_name[k]);
	printf("\n");
	for (int i = 0; i < nreg; i++) {
		struct region *r = &reg[i];
		size_t size;
		unsigned char *orig = slurp(r->file, &size);
		if (r->end > size)
			r->end = size;
		for (int kind = 0; kind < NKIND; kind++) {
			int count[NCLASS] = { 0 };
			for (int n = 0; n < cases && r->start < r->end; n++) {
				uint64_t at = r->start + next() % (r->end - r->start);
				unsigned char w[8];
				size_t len = 1;
				int cut = -1;
				switch (kind) {
				case FLIP: w[0] = orig[at] ^ (unsigned char)(1u << (next() % 8)); break;
				case BYTE: w[0] = (unsigned char)(orig[at] + 1 + next() % 255); break;
				case WORD: {
					at &= ~7ull;
					if (at < r->start || at + 8 > size)
						at = r->start;
					uint64_t v, old;
					memcpy(&old, orig + at, 8);
					switch (next() % 4) {
					case 0: v = 0; break;
					case 1: v = ~0ull; break;
					case 2: v = next(); break;
					default: v = old + (next() % 2 ? 4096 : -4096ull); break;
					}
					if (v == old)
						v = ~old;
					memcpy(w, &v, 8);
					len = at + 8 <= size ? 8 : size - at;
					break;
				}
				default: cut = (int)at; break;
				}
				if (cut >= 0)
					put(r->file, orig, 0, 0, cut);
				else
					put(r->file, w, len, (off_t)at, -1);
				char detail[512];
				int cl = run_one(detail, sizeof detail);
				count[cl]++;
				if ((r->strict == 1 || (r->strict == 2 && kind == CUT)) && cl > REFUSED) {
					bad++;
					printf("BAD %s %s at %llu: %s: %s\n", r->name, kind_name[kind], (unsigned long long)at,
					       class_name[cl], detail);
				}
				/* whole again, the same file (a new one would be another inode) */
				put(r->file, orig, size, 0, (int)size);
			}
			printf("%-16s %-5s %5d", r->name, kind_name[kind], cases);
			for (int k = 0; k < NCLASS; k++)
				printf(" %8d", count[k]);
			printf("\n");
		}
		free(orig);
	}
	(void)image;
	return bad ? 1 : 0;
}
