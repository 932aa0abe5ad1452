/*
 * Copyright The crdt-memory authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.crdtmemory.internal;

import java.util.Arrays;
import org.jspecify.annotations.Nullable;

/**
 * Writes compact JSON as UTF-8 bytes with the escaping of JavaScript's {@code JSON.stringify}: only
 * {@code "}, {@code \}, control characters (short forms where they exist, else lowercase
 * {@code \}{@code u00xx}) and lone surrogates are escaped; everything else is written raw. This is what
 * makes our output byte-identical to the MCP server's. Not thread-safe. Not API: shared by the codecs,
 * the CLI and the MCP server.
 */
public final class JsonOutput {
    private static final byte[] HEX = "0123456789abcdef".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    private final java.io.@Nullable OutputStream sink; // null: the bytes stay in memory
    private byte[] buf;
    private int len;

    /**
     * Creates an output that keeps its bytes in memory, with room for {@code capacity} bytes (it grows
     * when needed).
     *
     * @param capacity the expected size in bytes
     */
    public JsonOutput(int capacity) {
        this(null, capacity);
    }

    /**
     * Creates an output that goes to {@code sink} through a buffer of {@code capacity} bytes (grown only
     * for a single string longer than it); {@link #flush} writes what is left. A failure of the sink is
     * an {@link java.io.UncheckedIOException}.
     *
     * @param sink where the bytes go; {@code null} keeps them in memory
     * @param capacity the buffer's size in bytes
     */
    public JsonOutput(java.io.@Nullable OutputStream sink, int capacity) {
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

    /**
     * Writes the buffered bytes to the sink; without a sink it does nothing.
     *
     * @throws java.io.UncheckedIOException if the sink fails
     */
    public void flush() {
        java.io.OutputStream out = sink;
        if (out == null) {
            return;
        }
        try {
            out.write(buf, 0, len);
            len = 0;
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /**
     * Appends ASCII text as is; the caller guarantees it is ASCII and valid JSON in place.
     *
     * @param text the text
     * @return this output
     */
    public JsonOutput ascii(String text) {
        int n = text.length();
        ensure(n);
        for (int i = 0; i < n; i++) {
            buf[len++] = (byte) text.charAt(i);
        }
        return this;
    }

    /**
     * Appends one ASCII character as is.
     *
     * @param c the character
     * @return this output
     */
    public JsonOutput ascii(char c) {
        ensure(1);
        buf[len++] = (byte) c;
        return this;
    }

    /**
     * Appends a number.
     *
     * @param value the number
     * @return this output
     */
    public JsonOutput number(long value) {
        return ascii(Long.toString(value));
    }

    /**
     * Appends {@code value} as a quoted, escaped JSON string.
     *
     * @param value the text
     * @return this output
     */
    public JsonOutput string(String value) {
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

    /**
     * Returns the buffer's size (tests: an exactly sized output never grows).
     *
     * @return the size in bytes
     */
    public int capacity() {
        return buf.length;
    }

    /**
     * Returns how many bytes are buffered: all written, without a sink.
     *
     * @return the length
     */
    public int length() {
        return len;
    }

    /**
     * Returns the bytes written (the buffer itself when it is exactly full).
     *
     * @return the bytes
     */
    public byte[] toByteArray() {
        return len == buf.length ? buf : Arrays.copyOf(buf, len);
    }

    /**
     * Returns the bytes {@link #string} writes for {@code value}: what a caller sizes an exact buffer with.
     *
     * @param value the text
     * @return the length in bytes
     */
    public static int stringLength(String value) {
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

    /**
     * Returns the bytes {@link #number} writes for {@code value}, not negative.
     *
     * @param value the number
     * @return the length in bytes
     */
    public static int numberLength(long value) {
        int digits = 1;
        for (long v = value; v >= 10; v /= 10) {
            digits++;
        }
        return digits;
    }

    /**
     * Quotes {@code value} as a JSON string exactly as JavaScript's {@code JSON.stringify} does, which is
     * also the string form of RFC 8785.
     *
     * @param value the text
     * @return the quoted JSON string
     */
    public static String quote(String value) {
        return new String(new JsonOutput(value.length() + 2).string(value).toByteArray(),
                java.nio.charset.StandardCharsets.UTF_8);
    }
}
