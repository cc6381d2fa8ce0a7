/* textfolios.h: snap --prefault's page-cache stage.  A library's text
 * mapped at a 2 MiB-aligned place (libLLVM's, libclang-cpp's: ld.so
 * honours their p_align) can be mapped by the kernel one PMD at a time,
 * but only from page-cache folios of 2 MiB.  Which folios a file gets
 * depends on how it was first read: faults at random places (a program's
 * start) leave order-0 folios that stay until the cache is dropped.
 * Read again through an MADV_HUGEPAGE mapping, ext4 on 6.18 caches it in
 * PMD-size folios; then the program and its images fault its text a
 * PMD at a time (bench/folios.sh: clang-format --version's before-
 * constructor image 22 -> 11 ms, its after-init image with a prefault
 * table 7.3 -> 5.3 ms; the program itself 84 -> 61 ms).
 *
 * Only the page cache changes, never the contents; pages some process
 * maps are not dropped (POSIX_FADV_DONTNEED leaves them) and stay as
 * they are. */
#ifndef RESIDENT_TEXTFOLIOS_H
#define RESIDENT_TEXTFOLIOS_H

#include "capture.h"

/* each executable file map of c of 2 MiB or more, placed so that a PMD
 * can map it: its file range read again in large folios.  How many
 * bytes were, for snap's report */
unsigned long long text_folios(const struct capture *c);

#endif
