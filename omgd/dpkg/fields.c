/* fields.c — a version's Priority, Provides, relation fields and description's MD5 into the
 * index, as apt parses them. */
#include "config.h"
#include "dpkg.h"
#include "grow.h"
#include "omg_error.h"

#include <ctype.h>
#include <mbedtls/md5.h>
#include <string.h>
#include <strings.h>

/* The relation fields, in apt's order (enum db_rel_kind). */
static const char *const rel_fields[DB_REL__COUNT] = { "Pre-Depends", "Depends", "Conflicts", "Breaks",
						       "Recommends", "Suggests", "Replaces", "Enhances" };

/* Which relation field F is, or -1. */
int deb_rel_field(const struct deb822_field *f)
{
	for (int k = 0; k < DB_REL__COUNT; k++)
		if (deb822_is(f, rel_fields[k]))
			return k;
	return -1;
}

int deb_add_relations(struct db *db, uint32_t v, const char *const *rel, const size_t *rlen)
{
	for (int k = 0; k < DB_REL__COUNT; k++)
		if (rlen[k] && db_rels_parse(db, v, (enum db_rel_kind)k, rel[k], rlen[k]) != OMG_OK)
			return OMG_E_NOMEM;
	return OMG_OK;
}

/* The Priority field's value as enum db_priority (apt's order of them). */
uint8_t deb_priority_code(const char *v, size_t n)
{
	static const char *const names[] = { "", "required", "important", "standard", "optional", "extra" };

	for (uint8_t i = 1; i < 6; i++)
		if (strlen(names[i]) == n && !strncasecmp(v, names[i], n))
			return i;
	return DB_PRIO_NONE;
}

/* Records the names VALUE (a Provides field, LEN bytes) says version V provides. */
int deb_add_provides(struct db *db, uint32_t v, const char *value, size_t len)
{
	struct deb822_relation r;
	int rc = OMG_OK;

	for (const char *end = value + len; rc == OMG_OK && deb822_next_relation(&value, end, &r);)
		rc = db_provide_add(db, r.name, r.nlen, v, r.olen ? r.ver : NULL, r.olen ? r.vlen : 0);
	return rc;
}

/* The name in a Source field's value ("name (version)"): its length. */
static size_t source_name_len(const char *v, size_t n)
{
	size_t l = 0;

	while (l < n && v[l] != ' ' && v[l] != '(' && v[l] != '\t' && v[l] != '\n' && l < UINT16_MAX)
		l++;
	return l;
}

/* (*ARRAY)[V] = VALUE in an array indexed by version, the versions before V that have none
 * set to 0. */
static int set_by_version(uint32_t **array, size_t *n, size_t *cap, uint32_t v, uint32_t value)
{
	if (v >= *n) {
		if (omg_grow(array, cap, (size_t)v + 1, sizeof **array, UINT32_MAX) != OMG_OK)
			return OMG_E_NOMEM;
		memset(*array + *n, 0, ((size_t)v + 1 - *n) * sizeof **array);
		*n = (size_t)v + 1;
	}
	(*array)[v] = value;
	return OMG_OK;
}

/* Version V's source package from its Source field (VALUE, LEN bytes: "name (version)"),
 * for src: pins; none given is the package's own name. */
int deb_set_source(struct build *b, uint32_t v, const char *value, size_t len)
{
	size_t nlen = value ? source_name_len(value, len) : 0;
	uint32_t s = nlen ? db_str(b->db, value, nlen) : 0;

	if (s == DB_NONE)
		return OMG_E_NOMEM;
	return set_by_version(&b->ver_source, &b->nver_source, &b->cap_ver_source, v, s);
}

uint32_t deb_desc_md5(const char *md5, size_t mlen, const char *value, size_t len)
{
	unsigned char sum[16];
	mbedtls_md5_context c;
	uint32_t h = 0;

	if (mlen >= 8) {
		for (size_t i = 0; i < 8; i++) {
			int d = isdigit((unsigned char)md5[i]) ? md5[i] - '0' : tolower((unsigned char)md5[i]) - 'a' + 10;
			if (d < 0 || d > 15)
				return 0;
			h = h << 4 | (uint32_t)d;
		}
		return h;
	}
	/* apt's value: from the first non-blank byte to the last one */
	while (len && (*value == ' ' || *value == '\t'))
		value++, len--;
	while (len && isspace((unsigned char)value[len - 1]))
		len--;
	if (!len)
		return 0;
	mbedtls_md5_init(&c);
	mbedtls_md5_starts_ret(&c);
	mbedtls_md5_update_ret(&c, (const unsigned char *)value, len);
	mbedtls_md5_update_ret(&c, (const unsigned char *)"\n", 1);
	mbedtls_md5_finish_ret(&c, sum);
	mbedtls_md5_free(&c);
	return (uint32_t)sum[0] << 24 | (uint32_t)sum[1] << 16 | (uint32_t)sum[2] << 8 | sum[3];
}

int deb_set_desc_md5(struct build *b, uint32_t v, uint32_t md5)
{
	return set_by_version(&b->ver_md5, &b->nver_md5, &b->cap_ver_md5, v, md5);
}

int deb_status_desc(struct build *b, uint32_t v, const char *value, size_t len)
{
	struct db *db = b->db;
	const uint32_t *md5s = b->ver_md5;
	size_t n = b->nver_md5;
	uint32_t m = deb_desc_md5(NULL, 0, value, len);
	const char *name = db_s(db, db->pkgs[db->vers[v].pkg].name);

	for (uint32_t p = m ? db_pkg_first(db, name, strlen(name)) : DB_NONE; p != DB_NONE; p = db->pkgs[p].next_arch)
		for (uint32_t w = db->pkgs[p].vers; w != DB_NONE; w = db->vers[w].next)
			if (w != v && w < n && md5s[w] == m) {
				db->vers[v].desc = db->vers[w].desc;
				db->vers[v].flags = (uint16_t)((db->vers[v].flags & ~DBV_LONG_DESC) | (db->vers[w].flags & DBV_LONG_DESC));
				return OMG_OK;
			}
	return db_desc_set(db, v, value, len);
}
