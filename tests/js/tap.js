// tap.js: a tiny TAP producer for the gjs tests
//
// SPDX-License-Identifier: LGPL-2.1-or-later
//
// Output goes through print(), which writes to stdout (console.log() writes
// to stderr, where meson's TAP parser would not see it). The plan is printed
// at the end by done(), which exits with status 1 when any test failed, so
// meson sees a failure even if it misparses a line.

import GLib from 'gi://GLib';
import System from 'system';

let count = 0;
let failures = 0;
let group = '';
let todoReason = null;

function describe(value) {
    if (value instanceof Uint8Array)
        return `Uint8Array [${Array.from(value).join(', ')}]`;
    if (typeof value === 'bigint')
        return `${value}n`;
    if (typeof value === 'string')
        return JSON.stringify(value);
    if (value instanceof GLib.Error)
        return `GLib.Error(${GLib.quark_to_string(value.domain)}, ${value.code}: ${value.message})`;
    if (value instanceof Error)
        return `${value.name}: ${value.message}`;
    try {
        return JSON.stringify(value) ?? String(value);
    } catch {
        return String(value);
    }
}

export function diag(text) {
    for (const line of String(text).split('\n'))
        print(`# ${line}`);
}

/** Starts a named group of checks; names of later checks are prefixed. */
export function section(name) {
    group = name;
    diag(name);
}

export function ok(cond, name) {
    count++;
    const full = group ? `${group}: ${name}` : name;
    const directive = todoReason !== null ? ` # TODO ${todoReason}` : '';
    if (cond) {
        print(`ok ${count} - ${full}${directive}`);
    } else {
        if (todoReason === null)
            failures++;
        print(`not ok ${count} - ${full}${directive}`);
    }
    return Boolean(cond);
}

export function is(got, expected, name) {
    const passed = ok(Object.is(got, expected) ||
        (typeof got === 'number' && got === expected), name);
    if (!passed)
        diag(`     got: ${describe(got)}\nexpected: ${describe(expected)}`);
    return passed;
}

function sameBytes(a, b) {
    if (a.length !== b.length)
        return false;
    for (let i = 0; i < a.length; i++) {
        if (a[i] !== b[i])
            return false;
    }
    return true;
}

function deepSame(a, b) {
    if (Object.is(a, b))
        return true;
    if (ArrayBuffer.isView(a) || ArrayBuffer.isView(b) ||
        Array.isArray(a) || Array.isArray(b)) {
        if (a === null || b === null || a === undefined || b === undefined ||
            typeof a.length !== 'number' || typeof b.length !== 'number')
            return false;
        if (ArrayBuffer.isView(a) && ArrayBuffer.isView(b))
            return sameBytes(a, b);
        if (a.length !== b.length)
            return false;
        for (let i = 0; i < a.length; i++) {
            if (!deepSame(a[i], b[i]))
                return false;
        }
        return true;
    }
    if (typeof a === 'object' && typeof b === 'object' && a && b) {
        const ka = Object.keys(a).sort();
        const kb = Object.keys(b).sort();
        return deepSame(ka, kb) && ka.every(k => deepSame(a[k], b[k]));
    }
    return false;
}

/** Compares arrays, typed arrays (element by element) and plain objects. */
export function deepEqual(got, expected, name) {
    const passed = ok(deepSame(got, expected), name);
    if (!passed)
        diag(`     got: ${describe(got)}\nexpected: ${describe(expected)}`);
    return passed;
}

/**
 * Checks that fn() throws a GLib.Error in @domain with @code, and returns the
 * error (or null). @pattern, if given, must match the message.
 */
export function throwsCode(fn, domain, code, name, pattern = null) {
    let error = null;
    try {
        const result = fn();
        ok(false, name);
        diag(`expected an error (code ${code}), got the value ${describe(result)}`);
        return null;
    } catch (e) {
        error = e;
    }
    let passed = error instanceof GLib.Error && error.matches(domain, code);
    if (passed && pattern !== null)
        passed = pattern.test(error.message);
    ok(passed, name);
    if (!passed) {
        diag(`expected: ${GLib.quark_to_string(domain)} code ${code}` +
             `${pattern ? ` matching ${pattern}` : ''}`);
        diag(`     got: ${describe(error)}`);
    }
    return error;
}

/**
 * Runs a block of checks; an unexpected exception is reported as a failed
 * check instead of aborting the script.
 */
export function test(name, fn) {
    section(name);
    try {
        fn();
    } catch (e) {
        ok(false, `no unexpected exception (${describe(e)})`);
        if (e.stack)
            diag(e.stack);
    }
    group = '';
}

/**
 * Runs checks that document a known library bug (see /work/notes/bugs.md):
 * they are marked TODO, so a failure is expected and a pass shows up in
 * meson as an unexpected pass, the signal to drop the todo() wrapper.
 */
export function todo(reason, fn) {
    todoReason = reason;
    try {
        fn();
    } catch (e) {
        ok(false, `no unexpected exception (${describe(e)})`);
    } finally {
        todoReason = null;
    }
}

/** Prints the plan and exits: 0 when every check passed, 1 otherwise. */
export function done() {
    print(`1..${count}`);
    if (failures > 0)
        diag(`${failures} of ${count} checks failed`);
    System.exit(failures > 0 ? 1 : 0);
}
