/* SPDX-License-Identifier: Apache-2.0 */
/*
 * toml++ behind the C interface of toml_read.h (the configuration of the
 * library, and why, is in tomlpp.hh).
 */
#include "measurement/kata/tomlpp.hh"

#include <cerrno>
#include <cinttypes>
#include <cstdlib>
#include <cstring>
#include <new>
#include <string>

extern "C" {
#include "init/base/cmdfiles.h"
#include "init/base/why.h"
#include "measurement/kata/toml_read.h"
#include "measurement/kata/toml_scan.h"
}

struct kata_toml {
	std::string name;
	toml::table root;
};

static int why_at(const struct kata_toml *t, const toml::node &node, const char *path,
                  const char *wanted, char *why, size_t why_size)
{
	return why_set(why, why_size, -EINVAL, "%s:%u: %s must be %s", t->name.c_str(),
	               node.source().begin.line, path, wanted);
}

/* The key for an error: what a terminal would act on, and what is too long to read, left out. */
static std::string printable(const std::string &key)
{
	std::string out;
	for (char c : key.substr(0, 64))
		out += c >= 0x20 && c < 0x7f ? c : '?';
	return key.size() > 64 ? out + "..." : out;
}

/*
 * The first string (value or key) anywhere in the document that holds a NUL,
 * with its dotted path, or nullptr. A C reader would cut it there (a
 * kernel_verity_params of "\u0000root_hash=..." would read as none), so the
 * whole document is refused when parsed, before any command has done work
 * with it. The scanner bounds the depth, so the recursion is bounded too.
 */
static const toml::node *string_with_nul(const toml::node &n, const std::string &path,
                                         std::string *where, bool *in_key)
{
	if (const toml::table *tab = n.as_table()) {
		for (auto &&[key, value] : *tab) {
			std::string name = (path.empty() ? "" : path + ".") +
			                   printable(std::string(key.str()));
			if ((*in_key = key.str().find('\0') != std::string_view::npos)) {
				*where = name;
				return &value;
			}
			if (const toml::node *hit = string_with_nul(value, name, where, in_key))
				return hit;
		}
	} else if (const toml::array *arr = n.as_array()) {
		for (size_t i = 0; i < arr->size(); i++)
			if (const toml::node *hit = string_with_nul(
			            *arr->get(i), path + "[" + std::to_string(i) + "]", where,
			            in_key))
				return hit;
	} else if (const toml::value<std::string> *str = n.as_string()) {
		if (str->get().find('\0') != std::string::npos) {
			*where = path;
			return &n;
		}
	}
	return nullptr;
}

extern "C" int kata_toml_parse(struct kata_toml **t, const char *name, const char *text,
                               size_t size, char *why, size_t why_size)
{
	char inner[128];
	int r = input_text_check(text, size, inner, sizeof(inner));
	if (r < 0)
		return why_set(why, why_size, r, "%s: %s", name, inner);
	r = kata_toml_scan(name, text, size, why, why_size);
	if (r < 0)
		return r;
	try {
		toml::parse_result r = toml::parse(std::string_view(text, size), std::string(name));
		if (!r) {
			const toml::parse_error &e = r.error();
			return why_set(why, why_size, -EINVAL, "%s:%u:%u: %.*s", name,
			               e.source().begin.line, e.source().begin.column,
			               (int)e.description().size(), e.description().data());
		}
		std::string where;
		bool in_key = false;
		if (const toml::node *nul = string_with_nul(r.table(), "", &where, &in_key))
			return why_set(why, why_size, -EINVAL, "%s:%u: %s %s", name,
			               nul->source().begin.line, where.c_str(),
			               in_key ? "is a key holding NUL (\\u0000)"
			                      : "must be a string without NUL (\\u0000)");
		*t = new kata_toml{name, std::move(r).table()};
		return 0;
	} catch (const std::logic_error &e) {
		return why_set(why, why_size, -EINVAL,
		               "%s: malformed TOML (the parser's check %s failed)", name, e.what());
	} catch (const std::bad_alloc &) {
		return why_set(why, why_size, -ENOMEM, "%s: out of memory", name);
	}
}

extern "C" int kata_toml_open(struct kata_toml **t, const char *path, char *why, size_t why_size)
{
	char *text, inner[256];
	size_t len;
	int r = read_input_file(path, KATA_TOML_MAX, &text, &len, inner, sizeof(inner));
	/* A stream larger than a configuration is as wrong as a file that is: bad input. */
	if (r < 0)
		return why_set(why, why_size, r == -EFBIG ? -EINVAL : r, "%s: %s", path, inner);
	r = kata_toml_parse(t, path, text, len, why, why_size);
	free(text);
	return r;
}

extern "C" void kata_toml_free(struct kata_toml *t)
{
	delete t;
}

/* The node at path, or nullptr when absent (or when the lookup ran out of memory). */
static const toml::node *lookup(const struct kata_toml *t, const char *path)
{
	try {
		return toml::at_path(t->root, path).node();
	} catch (const std::bad_alloc &) {
		return nullptr;
	}
}

extern "C" unsigned kata_toml_line(const struct kata_toml *t, const char *path)
{
	const toml::node *n = lookup(t, path);
	return n ? n->source().begin.line : 0;
}

extern "C" const char *kata_toml_name(const struct kata_toml *t)
{
	return t->name.c_str();
}

extern "C" bool kata_toml_has(const struct kata_toml *t, const char *path)
{
	return lookup(t, path) != nullptr;
}

/* The value of type T at path: -ENOENT when absent, why_at's error when of another type. */
template <typename T>
static int typed(const struct kata_toml *t, const char *path, const char *what,
                 const toml::value<T> **out, char *why, size_t why_size)
{
	const toml::node *n = lookup(t, path);
	if (!n)
		return -ENOENT;
	*out = n->as<T>();
	return *out ? 0 : why_at(t, *n, path, what, why, why_size);
}

extern "C" int kata_toml_string(const struct kata_toml *t, const char *path, const char **out,
                                char *why, size_t why_size)
{
	const toml::value<std::string> *s;
	int r = typed(t, path, "a string", &s, why, why_size);
	if (r < 0)
		return r;
	/* kata_toml_parse refused every string holding a NUL: a C string is all of it. */
	*out = s->get().c_str();
	return 0;
}

extern "C" int kata_toml_table_strings(const struct kata_toml *t, const char *path, char *why,
                                       size_t why_size)
{
	const toml::node *node = lookup(t, path);
	const toml::table *tab = node ? node->as_table() : nullptr;
	if (!tab)
		return node ? why_at(t, *node, path, "a table", why, why_size) : -ENOENT;
	try {
		for (auto &&[key, value] : *tab) {
			if (value.as_string())
				continue;
			std::string name =
			        std::string(path) + "." + printable(std::string(key.str()));
			return why_at(t, value, name.c_str(), "a string", why, why_size);
		}
	} catch (const std::bad_alloc &) {
		return why_set(why, why_size, -ENOMEM, "%s: out of memory", t->name.c_str());
	}
	return 0;
}

extern "C" int kata_toml_bool(const struct kata_toml *t, const char *path, bool *out, char *why,
                              size_t why_size)
{
	const toml::value<bool> *b;
	int r = typed(t, path, "true or false", &b, why, why_size);
	if (r == 0)
		*out = b->get();
	return r;
}

extern "C" int kata_toml_u32(const struct kata_toml *t, const char *path, uint32_t *out, char *why,
                             size_t why_size)
{
	static const char what[] = "an integer from 0 to 4294967295";
	const toml::value<int64_t> *i;
	int r = typed(t, path, what, &i, why, why_size);
	if (r < 0)
		return r;
	if (i->get() < 0 || i->get() > UINT32_MAX)
		return why_at(t, *i, path, what, why, why_size);
	*out = (uint32_t)i->get();
	return 0;
}

extern "C" int kata_toml_array_size(const struct kata_toml *t, const char *path, size_t *n,
                                    char *why, size_t why_size)
{
	const toml::node *node = lookup(t, path);
	*n = 0;
	if (!node)
		return 0;
	const toml::array *a = node->as_array();
	if (!a)
		return why_at(t, *node, path, "an array", why, why_size);
	*n = a->size();
	return 0;
}

extern "C" int kata_toml_table_size(const struct kata_toml *t, const char *path, size_t *n,
                                    char *why, size_t why_size)
{
	const toml::node *node = lookup(t, path);
	if (!node)
		return -ENOENT;
	const toml::table *tab = node->as_table();
	if (!tab)
		return why_at(t, *node, path, "a table", why, why_size);
	*n = tab->size();
	return 0;
}
