/*
 * Copyright The crdt-memory authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.crdtmemory.memory;

import java.util.Arrays;

/**
 * Writes compact JSON as UTF-8 bytes with the escaping of JavaScript's {@code JSON.stringify}: only
 * {@code "}, {@code \}, control characters (short forms where they exist, else lowercase
 * {@code \}{@code u00xx}) and lone surrogates are escaped; everything else is written raw. This is what
 * makes our output byte-identical to the MCP server's. Not thread-safe.
 */
final class JsonOutput {
    private static final byte[] HEX = "0123456789abcdef".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    private final java.io.OutputStream sink; // null: the bytes stay in memory
    private byte[] buf;
    private int len;

    JsonOutput(int capacity) {
        this(null, capacity);
    }

    /**
     * Output that goes to {@code sink} through a buffer of {@code capacity} bytes (grown only for a
     * single string longer than it); {@link #flush} writes what is left. A failure of the sink is an
     * {@link java.io.UncheckedIOException}.
     */
    JsonOutput(java.io.OutputStream sink, int capacity) {
        this.sink = sink;
        buf = new byte[Math.max(16, capacity)];
    }

    private void ensure(int extra) {
        if (len + extra > buf.length) {
            if (sink != null) {
                flush();
            }
            if (len + extra > buf.length) {
                buf = Arrays.copyOf(buf, Math.max(buf.length * 2, len + extra));
            }
        }
    }

    /** Writes the buffered bytes to the sink (with a sink only). */
    void flush() {
        try {
            sink.write(buf, 0, len);
            len = 0;
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** Appends ASCII text as is; the caller guarantees it is ASCII and valid JSON in place. */
    JsonOutput ascii(String text) {
        int n = text.length();
        ensure(n);
        for (int i = 0; i < n; i++) {
            buf[len++] = (byte) text.charAt(i);
        }
        return this;
    }

    JsonOutput ascii(char c) {
        ensure(1);
        buf[len++] = (byte) c;
        return this;
    }

    JsonOutput number(long value) {
        return ascii(Long.toString(value));
    }

    /** Appends {@code value} as a quoted, escaped JSON string. */
    JsonOutput string(String value) {
        int n = value.length();
        if (sink == null && len + n * 3 + 2 > buf.length) {
            // the worst case does not fit: an exactly sized buffer nearing its end must not double for it
            int exact = stringLength(value);
            if (len + exact <= buf.length) {
                JsonOutput one = new JsonOutput(n * 3 + 2); // takes the string without this branch
                one.string(value);
                System.arraycopy(one.buf, 0, buf, len, one.len);
                len += one.len;
                return this;
            }
        }
        ensure(n * 3 + 2);
        byte[] b = buf;
        int p = len;
        b[p++] = '"';
        for (int i = 0; i < n; i++) {
            char c = value.charAt(i);
            if (c >= 0x20 && c < 0x80 && c != '"' && c != '\\') {
                b[p++] = (byte) c;
            } else if (c < 0x80) {
                len = p;
                ensure(6 + (n - i) * 3);
                b = buf;
                p = len;
                p = escape(b, p, c);
            } else if (c < 0x800) {
                b[p++] = (byte) (0xc0 | (c >> 6));
                b[p++] = (byte) (0x80 | (c & 0x3f));
            } else if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(value.charAt(i + 1))) {
                int cp = Character.toCodePoint(c, value.charAt(++i));
                b[p++] = (byte) (0xf0 | (cp >> 18));
                b[p++] = (byte) (0x80 | ((cp >> 12) & 0x3f));
                b[p++] = (byte) (0x80 | ((cp >> 6) & 0x3f));
                b[p++] = (byte) (0x80 | (cp & 0x3f));
            } else if (Character.isSurrogate(c)) {
                len = p;
                ensure(6 + (n - i) * 3);
                b = buf;
                p = len;
                p = unicodeEscape(b, p, c);
            } else {
                b[p++] = (byte) (0xe0 | (c >> 12));
                b[p++] = (byte) (0x80 | ((c >> 6) & 0x3f));
                b[p++] = (byte) (0x80 | (c & 0x3f));
            }
        }
        b[p++] = '"';
        len = p;
        return this;
    }

    private static int escape(byte[] b, int p, char c) {
        switch (c) {
            case '"' -> {
                b[p++] = '\\';
                b[p++] = '"';
            }
            case '\\' -> {
                b[p++] = '\\';
                b[p++] = '\\';
            }
            case '\b' -> {
                b[p++] = '\\';
                b[p++] = 'b';
            }
            case '\f' -> {
                b[p++] = '\\';
                b[p++] = 'f';
            }
            case '\n' -> {
                b[p++] = '\\';
                b[p++] = 'n';
            }
            case '\r' -> {
                b[p++] = '\\';
                b[p++] = 'r';
            }
            case '\t' -> {
                b[p++] = '\\';
                b[p++] = 't';
            }
            default -> p = unicodeEscape(b, p, c);
        }
        return p;
    }

    private static int unicodeEscape(byte[] b, int p, char c) {
        b[p++] = '\\';
        b[p++] = 'u';
        b[p++] = HEX[(c >> 12) & 0xf];
        b[p++] = HEX[(c >> 8) & 0xf];
        b[p++] = HEX[(c >> 4) & 0xf];
        b[p++] = HEX[c & 0xf];
        return p;
    }

    /** The buffer's size (tests: an exactly sized output never grows). */
    int capacity() {
        return buf.length;
    }

    int length() {
        return len;
    }

    byte[] toByteArray() {
        return len == buf.length ? buf : Arrays.copyOf(buf, len);
    }

    /** The bytes {@link #string} writes for {@code value}: what a caller sizes an exact buffer with. */
    static int stringLength(String value) {
        int n = value.length();
        int bytes = 2;
        for (int i = 0; i < n; i++) {
            char c = value.charAt(i);
            if (c >= 0x20 && c < 0x80 && c != '"' && c != '\\') {
                bytes++;
            } else if (c < 0x80) {
                bytes += c == '"' || c == '\\' || c == '\b' || c == '\f' || c == '\n' || c == '\r' || c == '\t' ? 2 : 6;
            } else if (c < 0x800) {
                bytes += 2;
            } else if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(value.charAt(i + 1))) {
                bytes += 4;
                i++;
            } else {
                bytes += Character.isSurrogate(c) ? 6 : 3;
            }
        }
        return bytes;
    }

    /** The bytes {@link #number} writes for {@code value}, not negative. */
    static int numberLength(long value) {
        int digits = 1;
        for (long v = value; v >= 10; v /= 10) {
            digits++;
        }
        return digits;
    }
}
