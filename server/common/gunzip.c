/* gunzip.c: gzip into a bounded pf_buf. A single member whose trailer
 * size fits the limit is inflated in one call by libdeflate (2-3x zlib);
 * everything else, and any libdeflate failure, by zlib's streaming inflate,
 * which stops a bomb early and names byte offsets in its errors.
 * No I/O; the only state is each thread's libdeflate decompressor. */
#include "gunzip.h"

#include <libdeflate.h>
#include <pthread.h>
#include <sys/mman.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

bool pf_is_gzip(const uint8_t *p, size_t n)
{
	return n >= 2 && p[0] == 0x1f && p[1] == 0x8b;
}

/* A block for n inflated bytes (free() it). A large one is asked for in
 * transparent huge pages: the inflater writes every byte once, and a 20 MB
 * profile otherwise takes some 5 000 page faults doing so. */
static char *out_block(size_t n)
{
	enum { HUGE = 2 << 20 };
	if (n < 4 * (size_t)HUGE)
		return malloc(n);
	size_t size = (n + HUGE - 1) / HUGE * HUGE;
	char *p = aligned_alloc(HUGE, size);
	if (p)
		(void)madvise(p, size, MADV_HUGEPAGE); /* a hint: refused is fine */
	return p;
}

/* This thread's decompressor, made on first use and freed when the thread
 * ends: making one per call took a third as long as inflating the fixture
 * uploads themselves (perf, under `make bench`). */
static pthread_key_t dd_key;
static pthread_once_t dd_once = PTHREAD_ONCE_INIT;

static void dd_free(void *dd)
{
	libdeflate_free_decompressor(dd);
}

static void dd_key_make(void)
{
	(void)pthread_key_create(&dd_key, dd_free);
}

static struct libdeflate_decompressor *thread_decompressor(void)
{
	(void)pthread_once(&dd_once, dd_key_make);
	struct libdeflate_decompressor *dd = pthread_getspecific(dd_key);
	if (!dd) {
		dd = libdeflate_alloc_decompressor();
		if (dd && pthread_setspecific(dd_key, dd) != 0) {
			libdeflate_free_decompressor(dd);
			dd = NULL;
		}
	}
	return dd;
}

/* The fast path: true when the whole input is one gzip member that
 * libdeflate inflated into the empty out (exactly its trailer size, at
 * most max_out and out's ceiling). false leaves out untouched. */
static bool gunzip_whole(const uint8_t *in, size_t n, size_t max_out, struct pf_buf *out)
{
	if (n < 18 || out->data || out->len)
		return false;
	size_t isize = (size_t)in[n - 4] | (size_t)in[n - 3] << 8 | (size_t)in[n - 2] << 16 |
	               (size_t)in[n - 1] << 24;
	if (isize == 0 || isize > max_out || (out->max && isize > out->max))
		return false;
	struct libdeflate_decompressor *dd = thread_decompressor();
	char *data = out_block(isize + 1);
	size_t used_in = 0, got = 0;
	bool ok = dd && data &&
	          libdeflate_gzip_decompress_ex(dd, in, n, data, isize, &used_in, &got) ==
	                  LIBDEFLATE_SUCCESS &&
	          used_in == n && got == isize;
	if (!ok) {
		free(data);
		return false;
	}
	/* hand the block to out as pf_buf_append would have built it */
	data[isize] = '\0';
	out->data = data;
	out->len = isize;
	out->cap = isize + 1;
	return true;
}

enum pf_code pf_gunzip(const uint8_t *in, size_t n, size_t max_out, struct pf_buf *out,
                       const char *field, struct pf_err *err)
{
	if (gunzip_whole(in, n, max_out, out))
		return PF_OK;

	z_stream zs;
	unsigned char chunk[64 * 1024];
	int zrc;
	enum pf_code rc = PF_OK;
	memset(&zs, 0, sizeof zs);
	if (inflateInit2(&zs, 16 + MAX_WBITS) != Z_OK)
		return pf_err_set(err, PF_E_NOMEM, field, "cannot initialise zlib");
	zs.next_in = (unsigned char *)(uintptr_t)in;
	zs.avail_in = 0;
	size_t left = n;

	for (;;) {
		if (zs.avail_in == 0 && left > 0) {
			uInt take = left > (1u << 30) ? (1u << 30) : (uInt)left;
			zs.avail_in = take;
			left -= take;
		}
		zs.next_out = chunk;
		zs.avail_out = sizeof chunk;
		zrc = inflate(&zs, Z_NO_FLUSH);
		size_t got = sizeof chunk - zs.avail_out;
		if (got) {
			if (out->len + got > max_out) {
				rc = pf_err_set(err, PF_E_TOO_LARGE, field,
				                "decompressed size exceeds the limit of %zu bytes "
				                "(at input byte %zu of %zu)",
				                max_out, (size_t)zs.total_in, n);
				break;
			}
			if (pf_buf_append(out, chunk, got) != PF_OK) {
				rc = pf_err_set(err, pf_buf_status(out), field,
				                "cannot hold %zu decompressed bytes",
				                out->len + got);
				break;
			}
		}
		if (zrc == Z_STREAM_END) {
			/* Another gzip member may follow (concatenated streams). */
			if (zs.avail_in == 0 && left == 0)
				break;
			if (zs.avail_in >= 2 && zs.next_in[0] == 0x1f && zs.next_in[1] == 0x8b) {
				inflateReset(&zs);
				continue;
			}
			rc = pf_err_set(err, PF_E_BAD_PROFILE, field,
			                "trailing garbage after the gzip stream at byte %zu",
			                (size_t)(zs.next_in - in));
			break;
		}
		if (zrc == Z_BUF_ERROR && zs.avail_in == 0 && left == 0) {
			rc = pf_err_set(err, PF_E_BAD_PROFILE, field,
			                "gzip stream ends after %zu bytes (truncated)", n);
			break;
		}
		if (zrc != Z_OK && zrc != Z_BUF_ERROR) {
			rc = pf_err_set(
			        err, PF_E_BAD_PROFILE, field, "corrupt gzip data near byte %zu: %s",
			        (size_t)(zs.next_in - in), zs.msg ? zs.msg : "inflate failed");
			break;
		}
	}
	inflateEnd(&zs);
	return rc;
}
