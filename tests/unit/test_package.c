/* test_package.c -- unit tests of XML safety, the manifest rules, the
 * manifest writer and the deterministic zip writer */
#include <stdlib.h>
#include <string.h>
#include <zip.h>

#include "buf.h"
#include "course.h"
#include "harness.h"
#include "manifest.h"
#include "parse.h"
#include "scormcheck.h"
#include "util.h"
#include "xsd.h"
#include "zipw.h"

static const char *valid_manifest =
    "<?xml version=\"1.0\"?>\n"
    "<manifest identifier=\"m\" "
    "xmlns=\"http://www.imsproject.org/xsd/imscp_rootv1p1p2\" "
    "xmlns:adlcp=\"http://www.adlnet.org/xsd/adlcp_rootv1p2\">\n"
    "<metadata><schema>ADL SCORM</schema>"
    "<schemaversion>1.2</schemaversion></metadata>\n"
    "<organizations default=\"O\"><organization identifier=\"O\">\n"
    "<item identifier=\"I\" identifierref=\"R\"><title>T</title>\n"
    "<adlcp:masteryscore>80</adlcp:masteryscore></item>\n"
    "</organization></organizations>\n"
    "<resources><resource identifier=\"R\" type=\"webcontent\" "
    "adlcp:scormtype=\"sco\" href=\"index.html\">\n"
    "<file href=\"index.html\"/></resource></resources>\n"
    "</manifest>\n";

static const char *const one_file[] = { "index.html" };

static char *check_text(const char *xml, int *rc_out)
{
	struct collect c;
	xmlDocPtr doc = NULL;
	collect_init(&c);
	int rc = xsd_parse(&doc, xml, strlen(xml), "m.xml", &c.d);
	if (rc == 0)
		rc = xsd_validate(doc, "m.xml", xml, strlen(xml), &c.d);
	if (rc == 0) {
		struct scormcheck_input in = { doc, "m.xml", xml, strlen(xml),
					       1, one_file };
		rc = scormcheck_manifest(&in, &c.d);
	}
	if (doc)
		xmlFreeDoc(doc);
	*rc_out = rc;
	char *out = buf_detach(&c.out, NULL);
	collect_free(&c);
	return out;
}

static char *replace(const char *s, const char *from, const char *to)
{
	const char *p = strstr(s, from);
	if (!p)
		BUG("'%s' not in test text", from);
	return xasprintf("%.*s%s%s", (int)(p - s), s, to, p + strlen(from));
}

void test_xsd(void)
{
	int rc;
	char *out = check_text(valid_manifest, &rc);
	OK(rc == 0, "xsd__valid: a minimal manifest passes");
	STR_EQ(out, "", "xsd__valid: without diagnostics");
	free(out);

	char *bad = replace(valid_manifest, "<title>T</title>\n"
					    "<adlcp:masteryscore>80"
					    "</adlcp:masteryscore>",
			    "<adlcp:masteryscore>80</adlcp:masteryscore>"
			    "<title>T</title>");
	out = check_text(bad, &rc);
	OK(rc < 0 && strncmp(out, "m.xml:5:", 8) == 0,
	   "xsd__order: adlcp before title fails the XSD, with its line");
	free(out);
	free(bad);

	const char *laughs =
	    "<?xml version=\"1.0\"?>\n<!DOCTYPE m [\n<!ENTITY a \"aaaaaaaa\">\n"
	    "<!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;\">\n]>\n<m>&b;</m>\n";
	out = check_text(laughs, &rc);
	OK(rc < 0 && strstr(out, "document type declarations"),
	   "xsd__entities: entity declarations are refused");
	free(out);

	const char *xxe = "<?xml version=\"1.0\"?>\n<!DOCTYPE m [<!ENTITY x "
			  "SYSTEM \"file:///etc/passwd\">]>\n<m>&x;</m>\n";
	out = check_text(xxe, &rc);
	OK(rc < 0 && !strstr(out, "root:"),
	   "xsd__xxe: external entities are refused and never read");
	free(out);

	out = check_text("<manifest><unclosed></manifest>", &rc);
	OK(rc < 0 && strncmp(out, "m.xml:1:", 8) == 0,
	   "xsd__malformed: not well-formed XML is located");
	free(out);
}

void test_scormcheck(void)
{
	int rc;
	char *bad = replace(valid_manifest, "default=\"O\"", "default=\"X\"");
	char *out = check_text(bad, &rc);
	STR_EQ(out,
	       "m.xml:4:16: error: organizations default 'X' names no "
	       "organization; LMSs would not know what to launch "
	       "[organizations-default]\n",
	       "scormcheck__default: a dangling default organization");
	free(out);
	free(bad);

	bad = replace(valid_manifest, "<file href=\"index.html\"/>",
		      "<file href=\"/abs.html\"/><file href=\"../up.html\"/>"
		      "<file href=\"gone.html\"/>");
	out = check_text(bad, &rc);
	STR_EQ(out,
	       "m.xml:9:7: error: href '/abs.html' starts with '/'; make it "
	       "relative to the package root (LMSs serve packages from a "
	       "sub-folder) [href-absolute]\n"
	       "m.xml:9:31: error: href '../up.html' points outside the "
	       "package; keep every file inside the zip [href-outside]\n"
	       "m.xml:9:56: error: href 'gone.html' names a file that is not "
	       "in the package; add the file or fix the path (names are "
	       "case-sensitive) [href-missing]\n"
	       "m.xml: warning: 'index.html' is in the package but no "
	       "resource lists it; add a <file href=\"index.html\"/> "
	       "[file-unlisted]\n",
	       "scormcheck__href: absolute, escaping and missing files");
	free(out);
	free(bad);

	bad = replace(valid_manifest, ">80<", ">101<");
	out = check_text(bad, &rc);
	STR_EQ(out,
	       "m.xml:6:1: error: adlcp:masteryscore '101' is not a number "
	       "from 0 to 100 [masteryscore-range]\n",
	       "scormcheck__mastery: out of range");
	free(out);
	free(bad);

	bad = replace(valid_manifest, "<schemaversion>1.2", "<schemaversion>1.3");
	out = check_text(bad, &rc);
	STR_EQ(out,
	       "m.xml:3:37: error: the manifest's <metadata> needs "
	       "<schemaversion>1.2</schemaversion> [schemaversion-value]\n",
	       "scormcheck__version: schemaversion must be 1.2");
	free(out);
	free(bad);

	bad = replace(valid_manifest, "adlcp:scormtype=\"sco\"",
		      "adlcp:scormtype=\"asset\"");
	out = check_text(bad, &rc);
	OK(strstr(out, "the package has no SCO") != NULL,
	   "scormcheck__sco: at least one SCO");
	free(out);
	free(bad);
}

void test_manifest(void)
{
	struct collect c;
	struct course *course = NULL;
	struct buf out = BUF_INIT;
	collect_init(&c);
	if (parse_course(&course, "tests/fixtures/minimal", &c.d) < 0)
		BUG("fixture does not parse");
	const struct module *mods[1] = { &course->modules[0] };
	const char *launch[1] = { "basics/index.html" };
	const char *shared[1] = { "assets/etoolbox.js" };
	struct manifest_input in = { course, "en", "demo.basics", 1,
				     mods,   launch, 1,	 shared, NULL };
	int rc = manifest_write(&out, &in);
	OK(rc == 0, "manifest__write: writes");
	OK(strstr(out.ptr, "<item identifier=\"ITEM-basics\" "
			   "identifierref=\"RES-basics\" isvisible=\"true\">") &&
	       strstr(out.ptr, "adlcp:scormtype=\"sco\" "
			       "href=\"basics/index.html\"") &&
	       strstr(out.ptr, "<adlcp:masteryscore>75</adlcp:masteryscore>"),
	   "manifest__ids: identifiers from ids, SCO and mastery score");
	xmlDocPtr doc = NULL;
	rc = xsd_parse(&doc, out.ptr, out.len, "imsmanifest.xml", &c.d);
	if (rc == 0)
		rc = xsd_validate(doc, "imsmanifest.xml", out.ptr, out.len,
				  &c.d);
	OK(rc == 0, "manifest__xsd: valid against the SCORM 1.2 schemas");
	STR_EQ(c.out.ptr, "", "manifest__xsd: without diagnostics");
	if (doc)
		xmlFreeDoc(doc);
	buf_free(&out);
	course_free(course);
	collect_free(&c);
}

static char *read_all(const char *path, size_t *len)
{
	char *data = NULL;
	if (util_read_file(&data, len, path) < 0)
		BUG("cannot read %s", path);
	return data;
}

void test_zipw(void)
{
	char *dir = harness_tmpdir();
	char *media = path_join(dir, "photo.jpg");
	harness_write(dir, "photo.jpg", "not really a jpeg but stored");
	struct collect c;
	collect_init(&c);
	const char *html = "<html>hello hello hello hello hello</html>";
	char *z1 = path_join(dir, "a.zip"), *z2 = path_join(dir, "b.zip");
	for (int round = 0; round < 2; round++) {
		/* the second round runs in another time zone */
		setenv("TZ", round ? "Pacific/Kiritimati" : "UTC", 1);
		struct zipw_entry e[3] = {
			{ xstrdup("z/index.html"), NULL, html, strlen(html), 0 },
			{ xstrdup("media/photo.jpg"), xstrdup(media), NULL, 0,
			  0 },
			{ xstrdup("imsmanifest.xml"), NULL, "<m/>", 4, 0 },
		};
		struct zipw_options zo = ZIPW_OPTIONS_INIT;
		zo.mtime = 1700000000;
		zo.jobs = round ? 1 : 2;
		int rc = zipw_write(round ? z2 : z1, e, 3, &zo, &c.d);
		OK(rc == 0, "zipw__write: round %d writes", round);
		for (int i = 0; i < 3; i++) {
			free(e[i].name);
			free(e[i].file);
		}
	}
	unsetenv("TZ");
	size_t l1, l2;
	char *b1 = read_all(z1, &l1), *b2 = read_all(z2, &l2);
	OK(l1 == l2 && memcmp(b1, b2, l1) == 0,
	   "zipw__determinism: same bytes whatever the time zone and the "
	   "number of threads");
	free(b1);
	free(b2);

	int zerr;
	zip_t *za = zip_open(z1, ZIP_RDONLY, &zerr);
	OK(za != NULL, "zipw__read: libzip reads it back");
	if (za) {
		OK(zip_get_num_entries(za, 0) == 3, "zipw__count: 3 entries");
		STR_EQ(zip_get_name(za, 0, 0), "imsmanifest.xml",
		       "zipw__sorted: entries sorted by name (0)");
		STR_EQ(zip_get_name(za, 2, 0), "z/index.html",
		       "zipw__sorted: entries sorted by name (2)");
		zip_stat_t st;
		zip_stat_index(za, 1, 0, &st);
		OK(st.comp_method == ZIP_CM_STORE,
		   "zipw__store: compressed media is stored");
		zip_stat_index(za, 2, 0, &st);
		OK(st.comp_method == ZIP_CM_DEFLATE,
		   "zipw__deflate: text is deflated");
		struct tm tm;
		time_t t = st.mtime;
		setenv("TZ", "UTC", 1);
		localtime_r(&t, &tm);
		unsetenv("TZ");
		OK(tm.tm_year == 123 && tm.tm_mon == 10 && tm.tm_mday == 14 &&
		       tm.tm_hour == 22 && tm.tm_min == 13,
		   "zipw__time: the timestamp is the given time in UTC");
		zip_uint8_t opsys;
		zip_uint32_t attr;
		zip_file_get_external_attributes(za, 2, 0, &opsys, &attr);
		OK(opsys == ZIP_OPSYS_UNIX && (attr >> 16) == 0100644,
		   "zipw__attrs: fixed 0644 permissions");
		zip_close(za);
	}
	/* files bigger than ZIPW_MEM_LIMIT are streamed, not held */
	size_t big = ZIPW_MEM_LIMIT + 12345;
	char *text = xmalloc(big + 1);
	for (size_t i = 0; i < big; i++)
		text[i] = "migration and local development\n"[i % 32];
	text[big] = '\0';
	harness_write(dir, "big.svg", text);
	harness_write(dir, "big.mp4", text);
	char *bsvg = path_join(dir, "big.svg"), *bmp4 = path_join(dir, "big.mp4");
	char *z3 = path_join(dir, "c.zip");
	struct zipw_entry be[3] = {
		{ xstrdup("big.svg"), xstrdup(bsvg), NULL, 0, 0 },
		{ xstrdup("big.mp4"), xstrdup(bmp4), NULL, 0, 0 },
		{ xstrdup("small.txt"), NULL, "small", 5, 1 },
	};
	struct zipw_options bo = ZIPW_OPTIONS_INIT;
	struct zipw_cache *cache = zipw_cache_new();
	bo.cache = cache;
	OK(zipw_write(z3, be, 3, &bo, &c.d) == 0 &&
	       zipw_write(z3, be, 3, &bo, &c.d) == 0,
	   "zipw__stream: big files are written (twice, with the cache)");
	za = zip_open(z3, ZIP_RDONLY | ZIP_CHECKCONS, &zerr);
	int same = za != NULL;
	for (int k = 0; za && k < 2; k++) {
		zip_stat_t st;
		zip_stat(za, k == 0 ? "big.svg" : "big.mp4", 0, &st);
		zip_file_t *zf = zip_fopen(za, k == 0 ? "big.svg" : "big.mp4", 0);
		char *back = xmalloc(big + 1);
		zip_int64_t got = zf ? zip_fread(zf, back, big + 1) : -1;
		same &= got == (zip_int64_t)big && memcmp(back, text, big) == 0 &&
			st.comp_method == (k == 0 ? ZIP_CM_DEFLATE : ZIP_CM_STORE);
		if (zf)
			zip_fclose(zf);
		free(back);
	}
	OK(same, "zipw__stream: streamed entries read back intact, with the "
		 "right method and CRC");
	if (za)
		zip_close(za);
	zipw_cache_free(cache);
	for (int i = 0; i < 3; i++) {
		free(be[i].name);
		free(be[i].file);
	}
	free(text);
	free(bsvg);
	free(bmp4);
	free(z3);

	OK(zipw_is_compressed("a/b.PNG") && zipw_is_compressed("x.woff2") &&
	       !zipw_is_compressed("x.svg") && !zipw_is_compressed("png"),
	   "zipw__kind: compressed media is known by extension");
	STR_EQ(c.out.ptr, "", "zipw__diag: no diagnostics");
	collect_free(&c);
	free(z1);
	free(z2);
	free(media);
	free(dir);
}
