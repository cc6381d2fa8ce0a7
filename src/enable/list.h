/* list.h: the enabled programs and their state (resident ls --enabled). */
#ifndef RESIDENT_ENABLE_LIST_H
#define RESIDENT_ENABLE_LIST_H

/* print them (a table, or JSON); EXIT_OK if every one is current, else
 * EXIT_PARTIAL */
int enabled_list(int json);

#endif
