/* elfsym.c: .symtab where the file has one, else .dynsym (what a stripped
 * Debian library keeps: its exports), read from the file as mapped
 * read-only.  Only for names: nothing here decides what an image holds. */
#include "elfsym.h"

#include <elf.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

int elfsym_open(struct elfsym *e, const char *path, dev_t dev, ino_t ino, uint64_t lowest)
{
	memset(e, 0, sizeof *e);
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	struct stat st;
	if (fd < 0)
		return -1;
	if (fstat(fd, &st) || !S_ISREG(st.st_mode) || st.st_dev != dev || st.st_ino != ino ||
	    (size_t)st.st_size < sizeof(Elf64_Ehdr)) {
		close(fd);
		return -1;
	}
	void *m = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (m == MAP_FAILED)
		return -1;
	e->f = m;
	e->size = (size_t)st.st_size;
	const Elf64_Ehdr *eh = m;
	if (memcmp(eh->e_ident, ELFMAG, SELFMAG) || eh->e_ident[EI_CLASS] != ELFCLASS64 ||
	    eh->e_phoff > e->size || eh->e_phnum > (e->size - eh->e_phoff) / sizeof(Elf64_Phdr)) {
		elfsym_close(e);
		return -1;
	}
	const Elf64_Phdr *ph = (const Elf64_Phdr *)(e->f + eh->e_phoff);
	for (int i = 0; i < eh->e_phnum; i++)
		if (ph[i].p_type == PT_LOAD && ph[i].p_offset == 0) {
			e->bias = lowest - ph[i].p_vaddr;
			return 0;
		}
	elfsym_close(e);
	return -1;
}

int elfsym_view(struct elfsym *e, const void *image, uint64_t lowest)
{
	memset(e, 0, sizeof *e);
	const Elf64_Ehdr *eh = image;
	if (!image || memcmp(eh->e_ident, ELFMAG, SELFMAG) || eh->e_shentsize != sizeof(Elf64_Shdr))
		return -1;
	e->f = (unsigned char *)image;
	e->view = 1;
	/* the vDSO's section headers are its last bytes */
	e->size = eh->e_shoff + (size_t)eh->e_shnum * sizeof(Elf64_Shdr);
	const Elf64_Phdr *ph = (const Elf64_Phdr *)(e->f + eh->e_phoff);
	for (int i = 0; i < eh->e_phnum; i++)
		if (ph[i].p_type == PT_LOAD && ph[i].p_offset == 0) {
			e->bias = lowest - ph[i].p_vaddr;
			return 0;
		}
	memset(e, 0, sizeof *e);
	return -1;
}

void elfsym_close(struct elfsym *e)
{
	if (e->f && !e->view)
		munmap(e->f, e->size);
	memset(e, 0, sizeof *e);
}

/* the symbol table to read (symtab first), its strings; 0 entries: none */
static size_t table(const struct elfsym *e, int which, const Elf64_Sym **sym, const char **str, size_t *strsz)
{
	const Elf64_Ehdr *eh = (const Elf64_Ehdr *)e->f;
	if (!eh->e_shoff || eh->e_shentsize != sizeof(Elf64_Shdr) || eh->e_shoff > e->size ||
	    eh->e_shnum > (e->size - eh->e_shoff) / sizeof(Elf64_Shdr))
		return 0;
	const Elf64_Shdr *sh = (const Elf64_Shdr *)(e->f + eh->e_shoff);
	for (int i = 0; i < eh->e_shnum; i++) {
		if (sh[i].sh_type != (Elf64_Word)which || sh[i].sh_link >= eh->e_shnum)
			continue;
		const Elf64_Shdr *s = &sh[sh[i].sh_link];
		if (sh[i].sh_offset > e->size || sh[i].sh_size > e->size - sh[i].sh_offset ||
		    s->sh_offset > e->size || s->sh_size > e->size - s->sh_offset || !s->sh_size)
			return 0;
		*sym = (const Elf64_Sym *)(e->f + sh[i].sh_offset);
		*str = (const char *)e->f + s->sh_offset;
		*strsz = s->sh_size;
		return sh[i].sh_size / sizeof(Elf64_Sym);
	}
	return 0;
}

uint64_t elfsym_addr(const struct elfsym *e, const char *name)
{
	static const int which[] = { SHT_DYNSYM, SHT_SYMTAB };
	for (int w = 0; w < 2; w++) {
		const Elf64_Sym *sym;
		const char *str;
		size_t strsz, n = table(e, which[w], &sym, &str, &strsz);
		for (size_t i = 0; i < n; i++)
			if (sym[i].st_shndx != SHN_UNDEF && sym[i].st_value && sym[i].st_name < strsz &&
			    !strncmp(str + sym[i].st_name, name, strsz - sym[i].st_name) &&
			    strlen(name) < strsz - sym[i].st_name)
				return sym[i].st_value + e->bias;
	}
	return 0;
}

const char *elfsym_near(const struct elfsym *e, uint64_t a, uint64_t *off)
{
	static const int which[] = { SHT_SYMTAB, SHT_DYNSYM };
	uint64_t v = a - e->bias;
	for (int w = 0; w < 2; w++) {
		const Elf64_Sym *sym, *best = NULL;
		const char *str;
		size_t strsz, n = table(e, which[w], &sym, &str, &strsz);
		for (size_t i = 0; i < n; i++) {
			int t = ELF64_ST_TYPE(sym[i].st_info);
			if (sym[i].st_shndx == SHN_UNDEF || (t != STT_FUNC && t != STT_OBJECT) ||
			    sym[i].st_value > v || sym[i].st_name >= strsz || !memchr(str + sym[i].st_name, 0, strsz - sym[i].st_name))
				continue;
			if (!best || sym[i].st_value > best->st_value)
				best = &sym[i];
		}
		if (best && (v - best->st_value < best->st_size || v - best->st_value < 65536)) {
			*off = v - best->st_value;
			return str + best->st_name;
		}
	}
	return NULL;
}
