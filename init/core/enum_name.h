/* SPDX-License-Identifier: Apache-2.0 */
/* The name of an enum value, for the tables that turn driver and TEE values into words. */
#pragma once

#include <stddef.h>

/*
 * The name of an enum value from a table indexed by the value (designated
 * initializers), or `unknown` for a value outside the table or without a name:
 * the driver's bytes reach these tables unchecked.
 */
static inline const char *enum_name_in(const char *const *table, size_t count, unsigned value,
                                       const char *unknown)
{
	return value < count && table[value] ? table[value] : unknown;
}
#define ENUM_NAME_OF(table, value, unknown)                                                        \
	enum_name_in(table, sizeof(table) / sizeof(table[0]), (unsigned)(value), unknown)
