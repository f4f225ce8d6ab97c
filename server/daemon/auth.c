/* auth.c: bearer tokens (DESIGN §5 Auth): SHA-256 of the token looked up
 * in the store, scope read < upload < admin, optional project binding.
 * The token may also come as HTTP Basic credentials, for the clients that
 * can only put credentials into a URL (`go tool pprof
 * http://x:TOKEN@host/v1/runs/1/profiles/cpu`). New tokens come from
 * OpenSSL's RAND_bytes; nothing hand-rolled. */
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "daemon.h"

#define TOKEN_PREFIX "pfg_"

void pf_auth_hash(const char *token, uint8_t sha256[32])
{
	unsigned int n = 32;
	EVP_Digest(token, strlen(token), sha256, &n, EVP_sha256(), NULL);
}

enum pf_code pf_auth_new_token(char *out, size_t outlen, uint8_t sha256[32])
{
	unsigned char raw[32];
	static const char hex[] = "0123456789abcdef";
	size_t pl = strlen(TOKEN_PREFIX);

	if (outlen < pl + 2 * sizeof raw + 1 || RAND_bytes(raw, sizeof raw) != 1)
		return PF_E_INTERNAL;
	memcpy(out, TOKEN_PREFIX, pl);
	for (size_t i = 0; i < sizeof raw; i++) {
		out[pl + 2 * i] = hex[raw[i] >> 4];
		out[pl + 2 * i + 1] = hex[raw[i] & 15];
	}
	out[pl + 2 * sizeof raw] = '\0';
	pf_auth_hash(out, sha256);
	return PF_OK;
}

enum pf_code pf_req_check_project(const struct pf_req *req, const char *project, struct pf_err *err)
{
	if (req->token.project[0] && strcmp(req->token.project, project) != 0)
		return pf_err_set(err, PF_E_FORBIDDEN, "project",
		                  "this token is bound to project '%s', not '%s'",
		                  req->token.project, project);
	return PF_OK;
}

#define TOKEN_MAX 256

/* The token of `Authorization: Basic <base64 of user:password>` into out
 * (TOKEN_MAX + 1 bytes): the password, or the user when the password is
 * empty (`curl -u TOKEN:`, http://TOKEN@host/...). */
static enum pf_code basic_token(const char *b64, char *out, struct pf_err *err)
{
	enum { DEC_MAX = TOKEN_MAX + 64 }; /* the token and a user name */
	unsigned char dec[DEC_MAX + 1];
	size_t n = strlen(b64), pad = 0;
	while (n > 0 && b64[n - 1] == ' ')
		n--;
	int len = n > 0 && n % 4 == 0 && n <= DEC_MAX / 3 * 4
	                  ? EVP_DecodeBlock(dec, (const unsigned char *)b64, (int)n)
	                  : -1;
	for (size_t i = n; i > 0 && b64[i - 1] == '=' && pad < 2; i--)
		pad++;
	if (len < 0 || (size_t)len < pad)
		return pf_err_set(err, PF_E_UNAUTHORIZED, "Authorization",
		                  "malformed Basic credentials (base64 of user:token expected)");
	len -= (int)pad;
	dec[len] = '\0';
	char *colon = memchr(dec, ':', (size_t)len);
	if (!colon || memchr(dec, '\0', (size_t)len))
		return pf_err_set(err, PF_E_UNAUTHORIZED, "Authorization",
		                  "malformed Basic credentials (user:token expected)");
	const char *tok = colon[1] ? colon + 1 : (const char *)dec;
	size_t tl = colon[1] ? strlen(colon + 1) : (size_t)(colon - (char *)dec);
	if (tl == 0 || tl > TOKEN_MAX)
		return pf_err_set(err, PF_E_UNAUTHORIZED, "Authorization", "malformed token");
	memcpy(out, tok, tl);
	out[tl] = '\0';
	return PF_OK;
}

enum pf_code pf_auth_check(struct pf_req *req, struct pf_err *err)
{
	const struct pf_route *rt = req->route;
	const char *h;
	uint8_t sha[32];
	enum pf_code rc;

	if (rt->scope == PF_SCOPE_NONE)
		return PF_OK;
	if (req->d->cfg.auth_off) {
		req->token.scope = PF_SCOPE_ADMIN;
		req->token.project[0] = '\0';
		return PF_OK;
	}
	char basic[TOKEN_MAX + 1];
	h = pf_req_header(req, "Authorization");
	if (!h || !*h)
		return pf_err_set(err, PF_E_UNAUTHORIZED, "Authorization",
		                  "missing bearer token (Authorization: Bearer <token>)");
	if (strncasecmp(h, "Basic ", 6) == 0) {
		for (h += 6; *h == ' ';)
			h++;
		rc = basic_token(h, basic, err);
		if (rc)
			return rc;
		h = basic;
	} else if (strncasecmp(h, "Bearer ", 7) == 0) {
		for (h += 7; *h == ' ';)
			h++;
	} else {
		return pf_err_set(err, PF_E_UNAUTHORIZED, "Authorization",
		                  "expected 'Authorization: Bearer <token>' (or Basic with the "
		                  "token as password)");
	}
	if (!*h || strlen(h) > TOKEN_MAX)
		return pf_err_set(err, PF_E_UNAUTHORIZED, "Authorization", "malformed token");
	pf_auth_hash(h, sha);
	rc = pf_db_token_lookup(pf_req_token_db(req), sha, &req->token, err);
	if (rc == PF_E_NOT_FOUND)
		return pf_err_set(err, PF_E_UNAUTHORIZED, "Authorization", "unknown token");
	if (rc)
		return rc;
	if (req->token.revoked)
		return pf_err_set(err, PF_E_UNAUTHORIZED, "Authorization",
		                  "token %lld has been revoked", (long long)req->token.id);
	if (req->token.scope < rt->scope)
		return pf_err_set(err, PF_E_FORBIDDEN, "Authorization",
		                  "token scope '%s' does not allow this call (needs '%s')",
		                  pf_scope_name(req->token.scope), pf_scope_name(rt->scope));
	if (rt->project_param) {
		const char *p = pf_req_param(req, rt->project_param);
		if (p)
			return pf_req_check_project(req, p, err);
	}
	return PF_OK;
}
