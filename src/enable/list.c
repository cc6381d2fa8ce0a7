/* list.c: `resident ls --enabled`: the enabled programs and their state. */
#include "list.h"

#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "../image/read.h"
#include "../lib/err.h"
#include "../lib/exit.h"
#include "../lib/fmt.h"
#include "registry.h"

/* what an exec of the program does now: the image's verdict, or why the
 * entry is not what enable left */
static const char *judge(const struct enabled *e, const char **why, const char **what)
{
	static const char *const state[] = { "current", "stale", "broken" };
	static char buf[512];
	struct image im;
	struct stat st;
	*why = *what = NULL;
	if (lstat(e->orig, &st)) {
		*why = "its original is gone (resident refresh removes the image)";
		return "broken";
	}
	if (image_open(e->path, &im, buf, sizeof buf)) {
		*why = buf;
		return "damaged";
	}
	char *none[] = { NULL };
	struct image_verdict v = image_judge(&im, none);
	if (strcmp(im.loc.orig, e->orig)) {
		*why = "an image of another program";
		image_close(&im);
		return "damaged";
	}
	image_close(&im);
	*why = v.why;
	*what = v.what;
	return state[v.state];
}

int enabled_list(int json)
{
	struct registry r;
	char why[4096];
	if (registry_read(&r, why, sizeof why))
		die(EXIT_FAIL, "%s", why);
	int bad = 0;
	if (json)
		printf("{\"schema\":\"resident-enabled/1\",\"programs\":[");
	else if (!r.n)
		printf("no programs enabled\n");
	for (size_t i = 0; i < r.n; i++) {
		const struct enabled *e = &r.v[i];
		const char *w, *what, *s = judge(e, &w, &what);
		bad |= strcmp(s, "current") != 0;
		if (json) {
			printf("%s{\"path\":", i ? "," : "");
			json_str(stdout, e->path);
			printf(",\"original\":");
			json_str(stdout, e->orig);
			printf(",\"diverted\":");
			if (e->dpkg[0])
				json_str(stdout, e->dpkg);
			else
				printf("null");
			printf(",\"state\":\"%s\",\"why\":", s);
			if (w)
				json_str(stdout, w);
			else
				printf("null");
			printf(",\"file\":");
			if (what)
				json_str(stdout, what);
			else
				printf("null");
			printf("}");
		} else {
			printf("%-28s %-8s %s%s%s%s%s\n", e->path, s, e->dpkg[0] ? "dpkg-diverted" : "moved aside",
			       w ? ": " : "", w ? w : "", what ? ": " : "", what ? what : "");
		}
	}
	if (json)
		printf("]}\n");
	registry_close(&r);
	return bad ? EXIT_PARTIAL : EXIT_OK;
}
