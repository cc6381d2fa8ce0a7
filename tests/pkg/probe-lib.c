/* the throwaway package's library */
const char *probe_version(void)
{
	return VERSION;
}
