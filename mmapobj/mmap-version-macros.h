/* mmap-version-macros.h: symbol visibility, availability and deprecation
 *
 * Every public declaration carries one of the macros below. Inside the
 * library (MMAPOBJ_COMPILATION) they export the symbol; in applications
 * they warn when code uses API newer than MMAP_VERSION_MAX_ALLOWED or
 * deprecated in MMAP_VERSION_MIN_REQUIRED or earlier, as GLib's and
 * libdex's version macros do.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#if !defined (MMAPOBJ_INSIDE) && !defined (MMAPOBJ_COMPILATION)
# error "Only <mmapobj/mmapobj.h> can be included directly."
#endif

#include <glib.h>

#include "mmap-version.h"

#if defined (MMAPOBJ_COMPILATION) && defined (__GNUC__)
# define _MMAP_EXTERN __attribute__((visibility ("default"))) extern
#else
# define _MMAP_EXTERN extern
#endif

/* The library may call its own deprecated functions without warnings. */
#if defined (MMAPOBJ_COMPILATION) && !defined (MMAP_DISABLE_DEPRECATION_WARNINGS)
# define MMAP_DISABLE_DEPRECATION_WARNINGS
#endif

/* The building blocks of the per-version macros below. Defining
 * MMAP_DISABLE_DEPRECATION_WARNINGS silences all of them. */

/**
 * MMAP_DEPRECATED_FOR:
 * @f: the name of the replacement
 *
 * Marks a declaration as deprecated in favour of @f: using it warns,
 * unless `MMAP_DISABLE_DEPRECATION_WARNINGS` is defined.
 *
 * Since: 1.0
 */

/**
 * MMAP_UNAVAILABLE:
 * @maj: the major version that added the declaration
 * @min: the minor version that added the declaration
 *
 * Marks a declaration added in @maj.@min, newer than
 * `MMAP_VERSION_MAX_ALLOWED`: using it warns, unless
 * `MMAP_DISABLE_DEPRECATION_WARNINGS` is defined.
 *
 * Since: 1.0
 */
#ifdef MMAP_DISABLE_DEPRECATION_WARNINGS
# define MMAP_DEPRECATED _MMAP_EXTERN
# define MMAP_DEPRECATED_FOR(f) _MMAP_EXTERN
# define MMAP_UNAVAILABLE(maj,min) _MMAP_EXTERN
#else
# define MMAP_DEPRECATED G_DEPRECATED _MMAP_EXTERN
# define MMAP_DEPRECATED_FOR(f) G_DEPRECATED_FOR (f) _MMAP_EXTERN
# define MMAP_UNAVAILABLE(maj,min) G_UNAVAILABLE (maj, min) _MMAP_EXTERN
#endif

/**
 * MMAP_VERSION_1_0:
 *
 * The version number of libmmapobj 1.0, encoded with `G_ENCODE_VERSION()`,
 * for `MMAP_VERSION_MIN_REQUIRED` and
 * `MMAP_VERSION_MAX_ALLOWED`.
 *
 * Since: 1.0
 */
#define MMAP_VERSION_1_0 (G_ENCODE_VERSION (1, 0))

/**
 * MMAP_VERSION_CUR_STABLE:
 *
 * The encoded major and minor version of the libmmapobj headers in use.
 *
 * Since: 1.0
 */
#define MMAP_VERSION_CUR_STABLE \
  (G_ENCODE_VERSION (MMAP_MAJOR_VERSION, MMAP_MINOR_VERSION))

/**
 * MMAP_VERSION_PREV_STABLE:
 *
 * The encoded version of the stable release before the headers in use
 * (1.0 itself in the 1.0 series, which has none before it).
 *
 * Since: 1.0
 */
#if MMAP_MINOR_VERSION == 0
# if MMAP_MAJOR_VERSION == 1
#  define MMAP_VERSION_PREV_STABLE (MMAP_VERSION_1_0)
# else
#  define MMAP_VERSION_PREV_STABLE \
  (G_ENCODE_VERSION (MMAP_MAJOR_VERSION - 1, 0))
# endif
#else
# define MMAP_VERSION_PREV_STABLE \
  (G_ENCODE_VERSION (MMAP_MAJOR_VERSION, MMAP_MINOR_VERSION - 1))
#endif

/**
 * MMAP_VERSION_MIN_REQUIRED:
 *
 * The oldest libmmapobj an application supports. Define it before
 * including `<mmapobj/mmapobj.h>` to one of the version macros, such as
 * `MMAP_VERSION_1_0`: functions deprecated in that version or
 * earlier then warn when used, later deprecations do not. It defaults to
 * `MMAP_VERSION_CUR_STABLE`.
 *
 * Since: 1.0
 */
#ifndef MMAP_VERSION_MIN_REQUIRED
# define MMAP_VERSION_MIN_REQUIRED (MMAP_VERSION_CUR_STABLE)
#endif

/**
 * MMAP_VERSION_MAX_ALLOWED:
 *
 * The newest libmmapobj API an application may use. Define it before
 * including `<mmapobj/mmapobj.h>` to one of the version macros, such as
 * `MMAP_VERSION_1_0`: functions added after that version then warn
 * when used. It defaults to `MMAP_VERSION_MIN_REQUIRED` when that is
 * newer than the previous stable release, and to
 * `MMAP_VERSION_CUR_STABLE` otherwise.
 *
 * Since: 1.0
 */
#ifndef MMAP_VERSION_MAX_ALLOWED
# if MMAP_VERSION_MIN_REQUIRED > MMAP_VERSION_PREV_STABLE
#  define MMAP_VERSION_MAX_ALLOWED (MMAP_VERSION_MIN_REQUIRED)
# else
#  define MMAP_VERSION_MAX_ALLOWED (MMAP_VERSION_CUR_STABLE)
# endif
#endif

#if MMAP_VERSION_MIN_REQUIRED < MMAP_VERSION_1_0
# error "MMAP_VERSION_MIN_REQUIRED must be MMAP_VERSION_1_0 or later"
#endif
#if MMAP_VERSION_MAX_ALLOWED < MMAP_VERSION_MIN_REQUIRED
# error "MMAP_VERSION_MAX_ALLOWED must be >= MMAP_VERSION_MIN_REQUIRED"
#endif

/* Declarations available in every version: the whole 1.0 API. */
#define MMAP_AVAILABLE_IN_ALL _MMAP_EXTERN

/* One block per minor release: MMAP_AVAILABLE_IN_x_y marks what x.y added,
 * MMAP_DEPRECATED_IN_x_y[_FOR (replacement)] what it deprecated. */

/**
 * MMAP_DEPRECATED_IN_1_0_FOR:
 * @f: the name of the replacement
 *
 * Marks a declaration deprecated in libmmapobj 1.0 in favour of @f: using
 * it warns when `MMAP_VERSION_MIN_REQUIRED` is 1.0 or later.
 *
 * Since: 1.0
 */
#if MMAP_VERSION_MIN_REQUIRED >= MMAP_VERSION_1_0
# define MMAP_DEPRECATED_IN_1_0 MMAP_DEPRECATED
# define MMAP_DEPRECATED_IN_1_0_FOR(f) MMAP_DEPRECATED_FOR (f)
#else
# define MMAP_DEPRECATED_IN_1_0 _MMAP_EXTERN
# define MMAP_DEPRECATED_IN_1_0_FOR(f) _MMAP_EXTERN
#endif
#if MMAP_VERSION_MAX_ALLOWED < MMAP_VERSION_1_0
# define MMAP_AVAILABLE_IN_1_0 MMAP_UNAVAILABLE (1, 0)
#else
# define MMAP_AVAILABLE_IN_1_0 _MMAP_EXTERN
#endif
