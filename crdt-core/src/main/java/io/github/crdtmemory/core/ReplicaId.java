/*
 * Copyright The crdt-memory authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.crdtmemory.core;

import java.util.Objects;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * The identity of one writer. Each installation owns one replica id; it is the last component of the
 * {@link Stamp} order, so two writes at the same hybrid time on different replicas never tie.
 *
 * <p>A replica id matches {@code [a-z0-9][a-z0-9._-]{0,62}}: it is safe as a file name and as a git
 * ref component, and it never starts with {@code -}, so it can never be read as a command-line
 * option. Replica ids are ASCII, so their natural order is also their UTF-8 byte order.
 *
 * @param value the validated identifier
 */
public record ReplicaId(String value) implements Comparable<ReplicaId> {
    private static final Pattern VALID = Pattern.compile("[a-z0-9][a-z0-9._-]{0,62}");

    /**
     * Validates the identifier.
     *
     * @throws NullPointerException if {@code value} is null
     * @throws IllegalArgumentException if {@code value} does not match the pattern above, or is
     *     {@code "."}-only ref-unsafe ({@code ..} or a trailing {@code .lock} or {@code .})
     */
    public ReplicaId {
        Objects.requireNonNull(value, "value");
        if (!VALID.matcher(value).matches()
                || value.contains("..")
                || value.endsWith(".lock")
                || value.endsWith(".")) {
            throw new IllegalArgumentException(
                    "invalid replica id '" + printable(value)
                            + "': use 1 to 63 characters of [a-z0-9._-], starting with a letter or digit,"
                            + " without '..', and not ending in '.' or '.lock'");
        }
    }

    /**
     * Returns the replica id for {@code value}.
     *
     * @param value the identifier
     * @return the replica id
     * @throws NullPointerException if {@code value} is null
     * @throws IllegalArgumentException if {@code value} is not a valid replica id
     */
    public static ReplicaId of(String value) {
        return new ReplicaId(value);
    }

    /**
     * Tells whether {@code value} is a valid replica id, without throwing.
     *
     * @param value a candidate, possibly null
     * @return true if {@link #of(String)} would accept it
     */
    public static boolean isValid(@Nullable String value) {
        if (value == null) {
            return false;
        }
        try {
            new ReplicaId(value);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /**
     * Turns arbitrary text (a host name, say) into a valid replica id prefix: lower case, invalid
     * characters replaced by {@code -}, trimmed to {@code maxLength}. Returns {@code "replica"} when
     * nothing usable is left.
     *
     * @param text the text to sanitize
     * @param maxLength the longest result wanted, 1 to 63
     * @return a valid replica id string
     * @throws NullPointerException if {@code text} is null
     * @throws IllegalArgumentException if {@code maxLength} is out of range
     */
    public static String sanitize(String text, int maxLength) {
        Objects.requireNonNull(text, "text");
        if (maxLength < 1 || maxLength > 63) {
            throw new IllegalArgumentException("maxLength must be 1 to 63: " + maxLength);
        }
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < text.length() && out.length() < maxLength; i++) {
            char c = Character.toLowerCase(text.charAt(i));
            boolean ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
            out.append(ok ? c : '-');
        }
        while (out.length() > 0 && !Character.isLetterOrDigit(out.charAt(0))) {
            out.deleteCharAt(0);
        }
        while (out.length() > 0 && !Character.isLetterOrDigit(out.charAt(out.length() - 1))) {
            out.deleteCharAt(out.length() - 1);
        }
        return out.length() == 0 ? "replica" : out.toString();
    }

    private static String printable(String value) {
        String shown = value.length() > 80 ? value.substring(0, 80) + "..." : value;
        StringBuilder out = new StringBuilder();
        shown.codePoints().forEach(cp -> {
            if (cp < 0x20 || cp == 0x7f) {
                out.append(String.format(java.util.Locale.ROOT, "\\u%04x", cp));
            } else {
                out.appendCodePoint(cp);
            }
        });
        return out.toString();
    }

    @Override
    public int compareTo(ReplicaId other) {
        return value.compareTo(other.value);
    }

    @Override
    public String toString() {
        return value;
    }
}
