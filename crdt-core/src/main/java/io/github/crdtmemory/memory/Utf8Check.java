/*
 * Copyright The crdt-memory authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.crdtmemory.memory;

/**
 * Finds the first byte that is not well-formed UTF-8 (RFC 3629: no overlong forms, no surrogates,
 * nothing above U+10FFFF). Faster than a decoder because it allocates nothing.
 */
final class Utf8Check {
    private Utf8Check() {
    }

    /** Returns the offset of the first invalid byte, or -1 if all of {@code b} is valid. */
    static int firstInvalid(byte[] b) {
        int i = 0;
        int n = b.length;
        while (i < n) {
            int c = b[i] & 0xff;
            if (c < 0x80) {
                i++;
                continue;
            }
            int need;
            int min;
            if (c >= 0xc2 && c <= 0xdf) {
                need = 1;
                min = 0x80;
            } else if (c >= 0xe0 && c <= 0xef) {
                need = 2;
                min = 0x800;
            } else if (c >= 0xf0 && c <= 0xf4) {
                need = 3;
                min = 0x10000;
            } else {
                return i;
            }
            if (i + need >= n) {
                return i;
            }
            int cp = c & (0x3f >> need);
            for (int k = 1; k <= need; k++) {
                int d = b[i + k] & 0xff;
                if ((d & 0xc0) != 0x80) {
                    return i;
                }
                cp = (cp << 6) | (d & 0x3f);
            }
            if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) {
                return i;
            }
            i += need + 1;
        }
        return -1;
    }

    /** Returns the 1-based {line, column} of byte {@code offset}, counting columns in bytes. */
    static int[] position(byte[] b, int offset) {
        int line = 1;
        int lineStart = 0;
        for (int i = 0; i < offset && i < b.length; i++) {
            if (b[i] == '\n') {
                line++;
                lineStart = i + 1;
            }
        }
        return new int[] {line, offset - lineStart + 1};
    }
}
