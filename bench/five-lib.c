/* five-lib.c: one of five.c's libraries, NAME given at build time */
int NAME(void)
{
	return 1;
}
