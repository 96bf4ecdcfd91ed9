/* A STAND-IN libcublas.so.13 for the doctor's tests: the cuBLAS check only
 * asks whether the library loads (it calls nothing), so one symbol with
 * cuBLAS's name is all it needs.  The real cuBLAS is proven on the H200. */

/* the project builds with hidden visibility: this is the library's API */
#define EXPORT __attribute__((visibility("default")))

EXPORT int cublasCreate_v2(void **handle);

EXPORT int cublasCreate_v2(void **handle)
{
	(void)handle;
	return 1; /* CUBLAS_STATUS_NOT_INITIALIZED: nothing real behind it */
}
