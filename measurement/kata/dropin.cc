/* SPDX-License-Identifier: Apache-2.0 */
/* The drop-in of dropin.h, written with toml++'s serialiser. */
#include "measurement/kata/tomlpp.hh"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <new>
#include <sstream>
#include <string>

extern "C" {
#include "init/base/why.h"
#include "measurement/kata/dropin.h"
}

static std::string text(const char *s)
{
	return s ? std::string(s) : std::string();
}

extern "C" int kata_dropin_format(const struct kata_dropin *d, char **out, char *why,
                                  size_t why_size)
{
	if (!d->kernel || !d->image == !d->initrd)
		return why_set(why, why_size, -EINVAL,
		               "a Kata drop-in needs a kernel and exactly one of image and initrd");
	try {
		toml::table qemu{
		        {"kernel", text(d->kernel)},
		        {"image", text(d->image)},
		        {"initrd", text(d->initrd)},
		        {"kernel_params", text(d->kernel_params)},
		        {"kernel_verity_params", text(d->kernel_verity_params)},
		};
		if (d->firmware)
			qemu.insert("firmware", text(d->firmware));
		toml::table doc{{"hypervisor", toml::table{{"qemu", std::move(qemu)}}}};
		std::ostringstream os;
		/* No literal or multi-line strings: one plain form, "..." with escapes. */
		os << toml::toml_formatter(doc, toml::format_flags::none) << '\n';
		*out = strdup(os.str().c_str());
		if (!*out)
			throw std::bad_alloc();
		return 0;
	} catch (const std::bad_alloc &) {
		return why_set(why, why_size, -ENOMEM,
		               "formatting the Kata drop-in: out of memory");
	}
}
