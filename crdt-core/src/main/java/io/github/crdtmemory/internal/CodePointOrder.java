/*
 * Copyright The crdt-memory authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.crdtmemory.internal;

/**
 * Compares strings by Unicode code points, which equals the unsigned order of their UTF-8 bytes.
 * {@link String#compareTo} compares UTF-16 code units instead, which orders supplementary
 * characters (emoji) before U+E000..U+FFFF; that would make the order depend on the encoding. Not API.
 */
public final class CodePointOrder {
    private CodePointOrder() {
    }

    /**
     * Compares two strings by code points.
     *
     * @param a a string
     * @param b another string
     * @return negative, zero or positive as {@code a} is less than, equal to, or greater than {@code b}
     */
    public static int compare(String a, String b) {
        if (a == b) {
            return 0;
        }
        int n = Math.min(a.length(), b.length());
        for (int i = 0; i < n; i++) {
            char x = a.charAt(i);
            char y = b.charAt(i);
            if (x != y) {
                // Surrogates (U+D800..U+DFFF) encode code points above U+FFFF: they must sort after
                // every BMP character, including U+E000..U+FFFF.
                boolean sx = Character.isSurrogate(x);
                boolean sy = Character.isSurrogate(y);
                if (sx != sy) {
                    return sx ? 1 : -1;
                }
                return x - y;
            }
        }
        return a.length() - b.length();
    }
}
