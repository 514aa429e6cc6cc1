/* SPDX-License-Identifier: Apache-2.0 */
/* The .config and fragment readers, matching, severity and `ccimage kconfig check`. */
#include "tests/lib/tap.h"

#include "rootfs/ccimage/command.h"
#include "kernel-configs/kernel-build/kbuild.h"
#include "kernel-configs/kconfig.h"
#include "rootfs/lib/jsondoc.h"

#include <fcntl.h>
#include <glob.h>
#include <unistd.h>

/* NAME(text): text parsed by PARSE into a TYPE; a parse error fails the test, naming its line. */
#define PARSED_OK(name, type, parse)                                                               \
	static type name(const char *text)                                                         \
	{                                                                                          \
		type v;                                                                            \
		struct kconfig_diag d = {0};                                                       \
		int r = parse(text, strlen(text), &v, &d);                                         \
		if (r < 0)                                                                         \
			tap_fail(#parse ": %d, line %u: %s", r, d.line, d.msg);                    \
		return v;                                                                          \
	}
PARSED_OK(parse_ok, struct kconfig, kconfig_parse)
PARSED_OK(frag_ok, struct kconfig_fragment, kconfig_fragment_parse)

TEST(config_values)
{
	struct kconfig c = parse_ok("#\n# Automatically generated file; DO NOT EDIT.\n\n"
	                            "CONFIG_A=y\nCONFIG_B=m\n# CONFIG_C is not set\n"
	                            "CONFIG_D=\"a \\\"q\\\" b\"\nCONFIG_E=-12\nCONFIG_F=0x1f\n"
	                            "CONFIG_G=n\n# end of General setup\nCONFIG_H=\"\"");
	const struct kconfig_option *o;

	ASSERT_EQ(c.n, 8);
	ASSERT_EQ(kconfig_find(&c, "A")->state, KCONFIG_Y);
	ASSERT_EQ(kconfig_find(&c, "B")->state, KCONFIG_M);
	o = kconfig_find(&c, "C");
	ASSERT_EQ(o->state, KCONFIG_NOT_SET);
	ASSERT_EQ(o->line, 6);
	o = kconfig_find(&c, "D");
	ASSERT_EQ(o->state, KCONFIG_VALUE);
	ASSERT_STR(o->value, "\"a \\\"q\\\" b\"");
	ASSERT_STR(kconfig_find(&c, "E")->value, "-12");
	ASSERT_STR(kconfig_find(&c, "F")->value, "0x1f");
	ASSERT_EQ(kconfig_find(&c, "G")->state, KCONFIG_NOT_SET);
	ASSERT_STR(kconfig_find(&c, "H")->value, "\"\""); /* last line, no newline */
	ASSERT_TRUE(kconfig_find(&c, "CONFIG_A") == NULL);
	ASSERT_TRUE(kconfig_find(&c, "Z") == NULL);
	kconfig_done(&c);
}

/* Every malformed line is an error naming its line; none is skipped. */
TEST(config_rejects)
{
	static const struct {
		const char *text;
		unsigned line;
	} bad[] = {
	        {"CONFIG_A=y\nCONFIG_B=yes\n", 2},
	        {"CONFIG_A=\n", 1},
	        {" CONFIG_A=y\n", 1},
	        {"CONFIG_A y\n", 1},
	        {"CONFIG_A=y\nhello\n", 2},
	        {"CONFIG_A=\"open\n", 1},
	        {"CONFIG_A=\"a\"b\n", 1},
	        {"CONFIG_A=\"a\\\"\n", 1},
	        {"CONFIG_A=y\r\n", 1},
	        {"CONFIG_A=y \n", 1},
	        {"CONFIG_A=0x\n", 1},
	        {"CONFIG_A=1.5\n", 1},
	        {"CONFIG_=y\n", 1},
	        {"CONFIG_A-B=y\n", 1},
	        {"CONFIG_A=y\nCONFIG_B=m\nCONFIG_A=m\n", 3},
	        {"CONFIG_A=y\n# CONFIG_A is not set\n", 2},
	        {"# only a comment\n\n", 0},
	        {"", 0},
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct kconfig c;
		struct kconfig_diag d = {0};
		int r = kconfig_parse(bad[i].text, strlen(bad[i].text), &c, &d);

		if (r != -EINVAL || d.line != bad[i].line)
			tap_fail("case %zu: r=%d line=%u (want %u): %s", i, r, d.line, bad[i].line,
			         d.msg);
	}
}

TEST(config_limits)
{
	struct kconfig c;
	struct kconfig_diag d = {0};
	static const char nul[] = "CONFIG_A=y\nCONFIG_B=\0y\n";
	size_t n = KCONFIG_MAX_LINE + 1;
	char *big = malloc(n + 32);

	ASSERT_EQ(kconfig_parse(nul, sizeof(nul) - 1, &c, &d), -EINVAL);
	ASSERT_EQ(d.line, 2);
	ASSERT_CONTAINS(d.msg, "NUL");

	/* A line exactly at the limit passes; one byte more does not. */
	memcpy(big, "CONFIG_A=\"", 10);
	memset(big + 10, 'x', KCONFIG_MAX_LINE - 11);
	big[KCONFIG_MAX_LINE - 1] = '"';
	big[KCONFIG_MAX_LINE] = '\n';
	ASSERT_EQ(kconfig_parse(big, KCONFIG_MAX_LINE + 1, &c, &d), 0);
	kconfig_done(&c);
	big[KCONFIG_MAX_LINE - 1] = 'x';
	big[KCONFIG_MAX_LINE] = '"';
	ASSERT_EQ(kconfig_parse(big, n, &c, &d), -EINVAL);
	ASSERT_CONTAINS(d.msg, "longer than");

	/* A symbol name longer than KCONFIG_MAX_NAME is refused. */
	memcpy(big, "CONFIG_", 7);
	memset(big + 7, 'A', KCONFIG_MAX_NAME + 1);
	memcpy(big + 7 + KCONFIG_MAX_NAME + 1, "=y", 3);
	ASSERT_EQ(kconfig_parse(big, strlen(big), &c, &d), -EINVAL);
	ASSERT_EQ(kconfig_parse(big, KCONFIG_MAX_FILE + 1, &c, &d), -EFBIG);
	free(big);
}

TEST(fragment_directives)
{
	struct kconfig_fragment f = frag_ok("# SPDX-License-Identifier: Apache-2.0\n"
	                                    "# A fragment.\n# severity: warning\n\n"
	                                    "# why: first reason\n# continued here\n"
	                                    "# accept: y|m\nCONFIG_A=y\n\n"
	                                    "# why: must be off\n# severity: error\n"
	                                    "# CONFIG_B is not set\n"
	                                    "# why: a string\nCONFIG_C=\"x\"\n"
	                                    "# why: modular only\n# accept: m|n\nCONFIG_D=m\n");

	ASSERT_EQ(f.severity, KCONFIG_SEV_WARNING);
	ASSERT_EQ(f.n, 4);
	ASSERT_STR(f.wants[0].name, "A");
	ASSERT_EQ(f.wants[0].accept, KCONFIG_ACCEPT_Y | KCONFIG_ACCEPT_M);
	ASSERT_EQ(f.wants[0].severity, KCONFIG_SEV_WARNING);
	ASSERT_STR(f.wants[0].why, "first reason continued here");
	ASSERT_EQ(f.wants[0].line, 8);
	ASSERT_EQ(f.wants[1].accept, KCONFIG_ACCEPT_N);
	ASSERT_EQ(f.wants[1].severity, KCONFIG_SEV_ERROR);
	ASSERT_EQ(f.wants[2].accept, 0);
	ASSERT_STR(f.wants[2].value, "\"x\"");
	ASSERT_EQ(f.wants[2].severity, KCONFIG_SEV_WARNING);
	ASSERT_EQ(f.wants[3].accept, KCONFIG_ACCEPT_M | KCONFIG_ACCEPT_N);
	kconfig_fragment_done(&f);

	f = frag_ok("# why: default severity\nCONFIG_A=m\n");
	ASSERT_EQ(f.severity, KCONFIG_SEV_ERROR);
	ASSERT_EQ(f.wants[0].accept, KCONFIG_ACCEPT_M);
	kconfig_fragment_done(&f);
}

TEST(fragment_rejects)
{
	static const struct {
		const char *text;
		unsigned line;
		const char *msg;
	} bad[] = {
	        {"CONFIG_A=y\n", 1, "no \"# why:\""},
	        {"# why: x\n\nCONFIG_A=y\n", 2, "blank line"},
	        {"# serverity: warning\n# why: x\nCONFIG_A=y\n", 1, "unknown directive"},
	        {"# accept: y|m\n# why: x\nCONFIG_A=y\n", 1, "outside"},
	        {"# why: x\n# accept: m\nCONFIG_A=y\n", 3, "own value"},
	        {"# why: x\n# accept: y\nCONFIG_A=\"s\"\n", 3, "own value"},
	        {"# why: x\n# accept: y|y\nCONFIG_A=y\n", 2, "at most once"},
	        {"# why: x\n# accept: yes\nCONFIG_A=y\n", 2, "at most once"},
	        {"# why: x\n# accept:\nCONFIG_A=y\n", 2, "empty"},
	        {"# why: x\nCONFIG_A=y\n# why: y\nCONFIG_A=m\n", 4, "named twice"},
	        {"# why: x\nCONFIG_A=y\n# severity: warning\n", 3, "before the first option"},
	        {"# severity: warning\n# severity: error\n", 2, "before the first option"},
	        {"# severity: fatal\n", 1, "error\" or \"warning"},
	        {"# why: x\n# severity: warning\n# severity: error\nCONFIG_A=y\n", 3, "twice"},
	        {"# why: x\n# why: y\nCONFIG_A=y\n", 2, "second why"},
	        {"# why:\nCONFIG_A=y\n", 1, "empty"},
	        {"# why: x\n", 1, "no option"},
	        {"# just words\n", 0, "no option"},
	        {"# why: x\n# CONFIG_A is not sett\n", 2, "is not set"},
	        {"# why: x\nCONFIG_A=maybe\n", 2, "value"},
	        {"# since: 6.16\n# why: x\nCONFIG_A=y\n", 1, "outside"},
	        {"# why: x\n# since: 6.16\n# since: 6.17\nCONFIG_A=y\n", 3, "twice"},
	        {"# why: x\n# since: 6\nCONFIG_A=y\n", 2, "kernel version"},
	        {"# why: x\n# since: 6.16.1\nCONFIG_A=y\n", 2, "kernel version"},
	        {"# why: x\n# since: 0.1\nCONFIG_A=y\n", 2, "kernel version"},
	        {"# until: 7.2\n# why: x\nCONFIG_A=y\n", 1, "outside"},
	        {"# why: x\n# until: 7.2\n# until: 7.3\nCONFIG_A=y\n", 3, "twice"},
	        {"# why: x\n# until: 7\nCONFIG_A=y\n", 2, "kernel version"},
	        {"# why: x\n# since: 6.16\n# until: 6.16\nCONFIG_A=y\n", 3, "later kernel"},
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct kconfig_fragment f;
		struct kconfig_diag d = {0};
		int r = kconfig_fragment_parse(bad[i].text, strlen(bad[i].text), &f, &d);

		if (r != -EINVAL || d.line != bad[i].line || !strstr(d.msg, bad[i].msg))
			tap_fail("case %zu: r=%d line=%u (want %u): \"%s\" (want \"%s\")", i, r,
			         d.line, bad[i].line, d.msg, bad[i].msg);
	}
}

TEST(match_table)
{
	struct kconfig c = parse_ok("CONFIG_Y=y\nCONFIG_M=m\n# CONFIG_N is not set\n"
	                            "CONFIG_S=\"abc\"\nCONFIG_I=64\n");
	static const struct {
		const char *name;
		unsigned accept;
		const char *value;
		enum kconfig_verdict v;
	} cases[] = {
	        {"Y", KCONFIG_ACCEPT_Y, NULL, KCONFIG_OK},
	        {"M", KCONFIG_ACCEPT_Y, NULL, KCONFIG_WRONG},
	        {"M", KCONFIG_ACCEPT_Y | KCONFIG_ACCEPT_M, NULL, KCONFIG_OK},
	        {"Y", KCONFIG_ACCEPT_M, NULL, KCONFIG_WRONG},
	        {"N", KCONFIG_ACCEPT_Y, NULL, KCONFIG_UNSET},
	        {"ABSENT", KCONFIG_ACCEPT_Y | KCONFIG_ACCEPT_M, NULL, KCONFIG_MISSING},
	        {"N", KCONFIG_ACCEPT_N, NULL, KCONFIG_OK},
	        {"ABSENT", KCONFIG_ACCEPT_N, NULL, KCONFIG_OK},
	        {"Y", KCONFIG_ACCEPT_N, NULL, KCONFIG_WRONG},
	        {"M", KCONFIG_ACCEPT_M | KCONFIG_ACCEPT_N, NULL, KCONFIG_OK},
	        {"S", KCONFIG_ACCEPT_Y, NULL, KCONFIG_WRONG},
	        {"S", 0, "\"abc\"", KCONFIG_OK},
	        {"S", 0, "\"abd\"", KCONFIG_WRONG},
	        {"I", 0, "64", KCONFIG_OK},
	        {"I", 0, "0x40", KCONFIG_WRONG}, /* text, not numeric, comparison */
	        {"Y", 0, "\"y\"", KCONFIG_WRONG},
	        {"N", 0, "1", KCONFIG_UNSET},
	        {"ABSENT", 0, "1", KCONFIG_MISSING},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct kconfig_want w = {
		        .name = cases[i].name, .accept = cases[i].accept, .value = cases[i].value};
		const struct kconfig_option *o;

		if (kconfig_match(&c, &w, &o) != cases[i].v)
			tap_fail("case %zu (%s): %s, want %s", i, cases[i].name,
			         kconfig_verdict_name(kconfig_match(&c, &w, &o)),
			         kconfig_verdict_name(cases[i].v));
		ASSERT_TRUE((o == NULL) == (strcmp(cases[i].name, "ABSENT") == 0));
	}
	kconfig_done(&c);
}

/* since: a kernel older than the option has no line for it, which is not a finding. */
TEST(since_and_the_config_version)
{
	static const char frag_text[] = "# why: x\n# since: 6.16\nCONFIG_NEW=y\n";
	struct kconfig_fragment f;
	struct kconfig_diag d = {0};
	static const struct {
		const char *config;
		unsigned version;
		enum kconfig_verdict v;
	} cases[] = {
	        {"#\n# Linux/x86 6.12.118 Kernel Configuration\n#\nCONFIG_A=y\n", 0x60c,
	         KCONFIG_PREDATES},
	        {"# Linux/x86 6.16.0 Kernel Configuration\nCONFIG_A=y\n", 0x610, KCONFIG_MISSING},
	        {"# Linux/arm64 7.1.0-rc1 Kernel Configuration\nCONFIG_A=y\n", 0x701,
	         KCONFIG_MISSING},
	        {"CONFIG_A=y\n", 0, KCONFIG_MISSING}, /* no header: the version is unknown */
	        {"# Linux/x86 6.12.1 Kernel Configuration\nCONFIG_NEW=m\n", 0x60c, KCONFIG_WRONG},
	        {"# Linux/x86 6.12.1 Kernel Configuration\nCONFIG_NEW=y\n", 0x60c, KCONFIG_OK},
	};

	ASSERT_TRUE(kconfig_fragment_parse(frag_text, strlen(frag_text), &f, &d) == 0);
	ASSERT_TRUE(f.n == 1 && f.wants[0].since == KCONFIG_VERSION(6, 16));
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct kconfig c = parse_ok(cases[i].config);
		const struct kconfig_option *o;
		enum kconfig_verdict v = kconfig_match(&c, &f.wants[0], &o);

		if (c.version != cases[i].version || v != cases[i].v)
			tap_fail("case %zu: version %#x (want %#x), %s (want %s)", i, c.version,
			         cases[i].version, kconfig_verdict_name(v),
			         kconfig_verdict_name(cases[i].v));
		ASSERT_TRUE(kconfig_satisfied(v) == (v == KCONFIG_OK || v == KCONFIG_PREDATES));
		kconfig_done(&c);
	}
	kconfig_fragment_done(&f);
}

/* until: a kernel that has dropped the option has no line for it, which is not a finding. */
TEST(until_and_the_config_version)
{
	static const char frag_text[] = "# why: x\n# until: 7.2\nCONFIG_OLD=y\n";
	struct kconfig_fragment f;
	struct kconfig_diag d = {0};
	static const struct {
		const char *config;
		enum kconfig_verdict v;
	} cases[] = {
	        {"# Linux/x86 7.2.12 Kernel Configuration\nCONFIG_A=y\n", KCONFIG_GONE},
	        {"# Linux/x86 7.3.4 Kernel Configuration\nCONFIG_A=y\n", KCONFIG_GONE},
	        {"# Linux/x86 6.12.118 Kernel Configuration\nCONFIG_A=y\n", KCONFIG_MISSING},
	        {"CONFIG_A=y\n", KCONFIG_MISSING}, /* no header: the version is unknown */
	        /* A line is judged as always, on any kernel. */
	        {"# Linux/x86 7.2.0 Kernel Configuration\n# CONFIG_OLD is not set\n",
	         KCONFIG_UNSET},
	        {"# Linux/x86 7.2.0 Kernel Configuration\nCONFIG_OLD=y\n", KCONFIG_OK},
	};

	ASSERT_TRUE(kconfig_fragment_parse(frag_text, strlen(frag_text), &f, &d) == 0);
	ASSERT_TRUE(f.n == 1 && f.wants[0].until == KCONFIG_VERSION(7, 2) && !f.wants[0].since);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct kconfig c = parse_ok(cases[i].config);
		const struct kconfig_option *o;
		enum kconfig_verdict v = kconfig_match(&c, &f.wants[0], &o);

		if (v != cases[i].v)
			tap_fail("case %zu: %s (want %s)", i, kconfig_verdict_name(v),
			         kconfig_verdict_name(cases[i].v));
		ASSERT_TRUE(kconfig_satisfied(v) == (v == KCONFIG_OK || v == KCONFIG_GONE));
		kconfig_done(&c);
	}
	kconfig_fragment_done(&f);
}

TEST(texts_and_exit_status)
{
	char buf[16];
	struct kconfig_want w = {.accept = KCONFIG_ACCEPT_Y | KCONFIG_ACCEPT_M};
	struct kconfig_option o = {.state = KCONFIG_M};

	ASSERT_STR(kconfig_want_text(&w, buf, sizeof(buf)), "y|m");
	w.accept = KCONFIG_ACCEPT_N;
	ASSERT_STR(kconfig_want_text(&w, buf, sizeof(buf)), "not set");
	w.accept = KCONFIG_ACCEPT_M | KCONFIG_ACCEPT_N;
	ASSERT_STR(kconfig_want_text(&w, buf, sizeof(buf)), "m|n");
	w = (struct kconfig_want){.value = "\"v\""};
	ASSERT_STR(kconfig_want_text(&w, buf, sizeof(buf)), "\"v\"");
	ASSERT_STR(kconfig_actual_text(NULL), "absent");
	ASSERT_STR(kconfig_actual_text(&o), "m");
	o.state = KCONFIG_NOT_SET;
	ASSERT_STR(kconfig_actual_text(&o), "not set");

	ASSERT_EQ(kconfig_exit_status(0, 0, false), EXIT_OK);
	ASSERT_EQ(kconfig_exit_status(0, 3, false), EXIT_OK);
	ASSERT_EQ(kconfig_exit_status(0, 3, true), EXIT_CHECK);
	ASSERT_EQ(kconfig_exit_status(1, 0, false), EXIT_CHECK);
	ASSERT_EQ(kconfig_exit_status(0, 0, true), EXIT_OK);
}

/* s as --json writes a string (rootfs/lib/jsondoc.h), and checked to read back as JSON. */
static char *json_of(const char *s)
{
	static char out[256];
	json_object *o = jsondoc_text(s), *back;

	snprintf(out, sizeof(out), "%s", json_object_to_json_string_ext(o, JSONDOC_LINE));
	json_object_put(o);
	back = json_tokener_parse(out);
	ASSERT_TRUE(back != NULL && json_object_is_type(back, json_type_string));
	json_object_put(back);
	return out;
}

#define FFFD "\xef\xbf\xbd" /* U+FFFD, as UTF-8 */

/*
 * Any byte of a .config's strings gives valid JSON: quotes and control
 * bytes escaped (json-c's choice of escape: a short one where JSON has it),
 * each byte that starts no valid UTF-8 sequence replaced by U+FFFD.
 */
TEST(json_strings)
{
	ASSERT_STR(json_of("a\"b\\c"), "\"a\\\"b\\\\c\"");
	ASSERT_STR(json_of("\t\x1f\x7f"), "\"\\t\\u001f\x7f\"");
	ASSERT_STR(json_of("\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80"),
	           "\"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\"");
	ASSERT_STR(json_of("\xff"), "\"" FFFD "\"");
	ASSERT_STR(json_of("\xc0\x80"), "\"" FFFD FFFD "\"");          /* overlong NUL */
	ASSERT_STR(json_of("\xed\xa0\x80"), "\"" FFFD FFFD FFFD "\""); /* a surrogate */
	ASSERT_STR(json_of("\xe2\x82"), "\"" FFFD FFFD "\"");          /* cut short */
	ASSERT_STR(json_of("\xf4\x90\x80\x80x"), "\"" FFFD FFFD FFFD FFFD "x\"");
}

/* The shipped fragments parse, and no two of them want incompatible values. */
TEST(shipped_fragments)
{
	struct kconfig_fragment f[16];
	glob_t g;
	size_t n;

	if (glob("kernel-configs/*.conf", 0, NULL, &g) != 0)
		tap_skip("no kernel-configs/ here (run from the repository root)");
	ASSERT_TRUE(g.gl_pathc >= 5 && g.gl_pathc <= 16);
	n = g.gl_pathc;
	for (size_t i = 0; i < n; i++) {
		FILE *in = fopen(g.gl_pathv[i], "re");
		static char buf[64 * 1024];
		struct kconfig_diag d = {0};
		size_t len;

		ASSERT_TRUE(in != NULL);
		len = fread(buf, 1, sizeof(buf), in);
		ASSERT_TRUE(len < sizeof(buf));
		fclose(in);
		if (kconfig_fragment_parse(buf, len, &f[i], &d) < 0)
			tap_fail("%s:%u: %s", g.gl_pathv[i], d.line, d.msg);
		for (size_t j = 0; j < f[i].n; j++)
			ASSERT_TRUE(strlen(f[i].wants[j].why) >= 10);
	}
	for (size_t a = 0; a < n; a++)
		for (size_t b = a + 1; b < n; b++)
			for (size_t i = 0; i < f[a].n; i++)
				for (size_t j = 0; j < f[b].n; j++) {
					const struct kconfig_want *x = &f[a].wants[i],
					                          *y = &f[b].wants[j];
					if (strcmp(x->name, y->name) != 0)
						continue;
					bool ok = x->accept
					                  ? (x->accept & y->accept) != 0
					                  : y->value && !strcmp(x->value, y->value);
					if (!ok)
						tap_fail("%s:%u and %s:%u want CONFIG_%s "
						         "differently",
						         g.gl_pathv[a], x->line, g.gl_pathv[b],
						         y->line, x->name);
				}
	for (size_t i = 0; i < n; i++)
		kconfig_fragment_done(&f[i]);
	globfree(&g);
}

static char dir[] = "/tmp/test_kconfig.XXXXXX";

static void write_file(const char *name, const char *text)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "we");
	ASSERT_TRUE(f != NULL);
	fputs(text, f);
	fclose(f);
}

/* Runs the command with stdout captured into out; returns its exit status. */
static int run_check(char *out, size_t size, const char *const *args)
{
	char *argv[16] = {"check"};
	char path[256];
	int argc = 1, saved, fd, r;
	ssize_t n;

	for (; args[argc - 1]; argc++)
		argv[argc] = (char *)args[argc - 1];
	snprintf(path, sizeof(path), "%s/stdout", dir);
	fflush(stdout);
	saved = dup(1);
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	ASSERT_TRUE(saved >= 0 && fd >= 0);
	dup2(fd, 1);
	r = kconfig_check_main(argc, argv);
	fflush(stdout);
	dup2(saved, 1);
	close(saved);
	n = pread(fd, out, size - 1, 0);
	close(fd);
	out[n > 0 ? n : 0] = '\0';
	return r;
}

TEST(command)
{
	static char out[8192];
	char cfg[256], frag[256], warn[256], bad[256];

	ASSERT_TRUE(mkdtemp(dir) != NULL);
	snprintf(cfg, sizeof(cfg), "%s/config", dir);
	snprintf(frag, sizeof(frag), "%s/a.conf", dir);
	snprintf(warn, sizeof(warn), "%s/w.conf", dir);
	snprintf(bad, sizeof(bad), "%s/bad.conf", dir);
	write_file("config", "CONFIG_A=m\n# CONFIG_B is not set\nCONFIG_C=y\n");
	write_file("a.conf", "# why: need a\n# accept: y|m\nCONFIG_A=y\n"
	                     "# why: need b\nCONFIG_B=y\n# why: no d\n# CONFIG_D is not set\n"
	                     "# why: need e \"quoted\"\nCONFIG_E=y\n");
	write_file("w.conf", "# severity: warning\n\n# why: c off\n# CONFIG_C is not set\n");
	write_file("bad.conf", "# why: x\nCONFIG_A=y\nCONFIG_B=y\n");

	ASSERT_EQ(run_check(out, sizeof(out), (const char *[]){cfg, frag, NULL}), EXIT_CHECK);
	ASSERT_CONTAINS(out, "a.conf:5: error: CONFIG_B is not set, wants y: need b\n");
	ASSERT_CONTAINS(out, "a.conf:9: error: CONFIG_E is absent, wants y: need e \"quoted\"\n");
	ASSERT_CONTAINS(out, ": 2 errors, 0 warnings, 2 satisfied (1 fragment)\n");
	ASSERT_TRUE(strstr(out, "CONFIG_A") == NULL);

	ASSERT_EQ(run_check(out, sizeof(out), (const char *[]){cfg, warn, NULL}), EXIT_OK);
	ASSERT_CONTAINS(out, "w.conf:4: warning: CONFIG_C is y, wants not set: c off\n");
	ASSERT_EQ(run_check(out, sizeof(out), (const char *[]){"--strict", cfg, warn, NULL}),
	          EXIT_CHECK);

	ASSERT_EQ(run_check(out, sizeof(out), (const char *[]){"--json", cfg, frag, warn, NULL}),
	          EXIT_CHECK);
	ASSERT_CONTAINS(out, "\"errors\":2,\"warnings\":1,\"satisfied\":2,\"exit_status\":1,");
	ASSERT_CONTAINS(out, "{\"option\":\"CONFIG_E\",\"severity\":\"error\",\"state\":"
	                     "\"missing\",\"want\":\"y\",\"actual\":null,");
	ASSERT_CONTAINS(out, "\"line\":9,\"why\":\"need e \\\"quoted\\\"\"}");
	ASSERT_CONTAINS(out, "\"state\":\"mismatch\",\"want\":\"not set\",\"actual\":\"y\"");

	ASSERT_EQ(run_check(out, sizeof(out), (const char *[]){cfg, bad, NULL}), EXIT_DATA);
	/* A fragment is valid .config syntax, and satisfies itself. */
	ASSERT_EQ(run_check(out, sizeof(out), (const char *[]){frag, frag, NULL}), EXIT_OK);
	/* A missing file the user named is bad input, not a system failure. */
	ASSERT_EQ(run_check(out, sizeof(out), (const char *[]){"/nonexistent/config", frag, NULL}),
	          EXIT_DATA);
	ASSERT_EQ(run_check(out, sizeof(out), (const char *[]){NULL}), EXIT_USAGE);
	ASSERT_EQ(run_check(out, sizeof(out), (const char *[]){"--bogus", cfg, NULL}), EXIT_USAGE);

	/* "-" reads the .config from standard input (zcat /proc/config.gz | ...). */
	int fds[2], saved_in = dup(0);
	ASSERT_TRUE(pipe(fds) == 0 && saved_in >= 0);
	ASSERT_TRUE(write(fds[1], "CONFIG_B=y\nCONFIG_E=y\nCONFIG_A=m\n", 33) == 33);
	close(fds[1]);
	dup2(fds[0], 0);
	close(fds[0]);
	ASSERT_EQ(run_check(out, sizeof(out), (const char *[]){"-", frag, NULL}), EXIT_OK);
	dup2(saved_in, 0);
	close(saved_in);
	ASSERT_CONTAINS(out, "-: 0 errors, 0 warnings, 4 satisfied (1 fragment)\n");
	ASSERT_EQ(run_check(out, sizeof(out), (const char *[]){dir, frag, NULL}), EXIT_DATA);

	/* No fragment named: all of --dir's *.conf, in name order. */
	ASSERT_EQ(run_check(out, sizeof(out), (const char *[]){"--dir", dir, cfg, NULL}),
	          EXIT_DATA); /* bad.conf is among them */
	unlink(bad);
	ASSERT_EQ(run_check(out, sizeof(out), (const char *[]){"--dir", dir, "--json", cfg, NULL}),
	          EXIT_CHECK);
	ASSERT_CONTAINS(out, "\"fragments\":[");
	ASSERT_CONTAINS(out, "/a.conf\",");
	ASSERT_CONTAINS(out, "/w.conf\"]");

	/*
	 * The kernel build's check of its merged config: every option of every
	 * fragment in the directory, warnings too, each unmet one named by file and line.
	 */
	struct kbuild_fragments kf;
	char why[1024] = "";
	ASSERT_EQ(chdir("/tmp"),
	          0); /* a relative --dir is resolved: merge_config.sh runs elsewhere */
	ASSERT_EQ(kbuild_fragments_find(&kf, dir + strlen("/tmp/"), why, sizeof(why)), 0);
	ASSERT_EQ(kf.n, 2);
	ASSERT_TRUE(strcmp(kf.dir, dir) == 0 && strncmp(kf.paths[0], dir, strlen(dir)) == 0);
	ASSERT_EQ(kbuild_config_check(&kf, cfg, why, sizeof(why)), -EPROTO);
	ASSERT_CONTAINS(why,
	                ": 3 of the fragments' 5 options unmet: a.conf:5 CONFIG_B wants y, has "
	                "not set; a.conf:9 CONFIG_E wants y, has absent; w.conf:4 CONFIG_C "
	                "wants not set, has y");
	write_file("config", "CONFIG_A=y\nCONFIG_B=y\nCONFIG_E=y\n");
	ASSERT_EQ(kbuild_config_check(&kf, cfg, why, sizeof(why)), 0);
	char key[1024];
	ASSERT_EQ(kbuild_fragments_key(&kf, key, sizeof(key), why, sizeof(why)), 0);
	ASSERT_CONTAINS(key, "fragment a.conf sha256:");
	ASSERT_CONTAINS(key, "\nfragment w.conf sha256:");

	static const char *const names[] = {"config", "a.conf", "w.conf", "stdout"};
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		char path[256];
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		unlink(path);
	}
	rmdir(dir);
}

/* The package of a kernel version's tree: what the build and the recipe lock fetch. */
TEST(source_package_of_a_version)
{
	char name[32];

	ASSERT_EQ(kbuild_source_package("6.12.118-1", name, sizeof(name)), 0);
	ASSERT_STR(name, "linux-source-6.12");
	ASSERT_EQ(kbuild_source_package("10.1~rc3-1", name, sizeof(name)), 0);
	ASSERT_STR(name, "linux-source-10.1");
	ASSERT_EQ(kbuild_source_package("6", name, sizeof(name)), -EINVAL);
	ASSERT_EQ(kbuild_source_package(".12.1", name, sizeof(name)), -EINVAL);
	ASSERT_EQ(kbuild_source_package("6.x", name, sizeof(name)), -EINVAL);
	ASSERT_EQ(kbuild_source_package("v6.12", name, sizeof(name)), -EINVAL);
	ASSERT_EQ(kbuild_source_package("6.12.1", name, 8), -ENAMETOOLONG);
}
