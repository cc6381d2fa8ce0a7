/* tls: threads and thread-local storage after a restore: each thread's
 * __thread counter starts at its initial value and stays its own. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static __thread long counter = 1000;
static __thread char name[16] = "main";
static char *results[4];

static void *work(void *arg)
{
	long id = (long)arg;
	snprintf(name, sizeof name, "thread%ld", id);
	for (long i = 0; i < 100000 * (id + 1); i++)
		counter++;
	static __thread char line[64];	/* printed by main, in order */
	snprintf(line, sizeof line, "%s counter=%ld", name, counter);
	results[id] = line[0] ? strdup(line) : NULL;
	return (void *)counter;
}

int main(void)
{
	pthread_t t[4];
	long sum = 0;
	for (long i = 0; i < 4; i++)
		pthread_create(&t[i], NULL, work, (void *)i);
	for (int i = 0; i < 4; i++) {
		void *r;
		pthread_join(t[i], &r);
		sum += (long)r;
	}
	for (int i = 0; i < 4; i++)
		printf("%s\n", results[i]);
	printf("%s counter=%ld sum=%ld\n", name, counter, sum);
	return 0;
}
