/*
 * Copyright The crdt-memory authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.crdtmemory.memory;

import io.github.crdtmemory.core.CrdtException;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A memory file or a replica state file is not valid: malformed JSON, invalid UTF-8, a wrong type, a
 * missing field, an unknown line type. The exception names the source, the line and column (both
 * 1-based; 0 when unknown) and the reason. A codec that throws it has produced no partial result.
 */
public final class MemoryFormatException extends CrdtException {
    private static final long serialVersionUID = 1L;

    private final String source;
    private final int line;
    private final int column;
    private final String reason;

    /**
     * Creates the exception.
     *
     * @param source the file (or other source) that was read, as the user knows it
     * @param line the 1-based line, or 0 if unknown
     * @param column the 1-based column, or 0 if unknown
     * @param reason what is wrong, in one line
     * @param cause the parser's exception, or null
     */
    public MemoryFormatException(String source, int line, int column, String reason, @Nullable Throwable cause) {
        super(format(source, line, column, reason), cause);
        this.source = Objects.requireNonNull(source, "source");
        this.line = Math.max(0, line);
        this.column = Math.max(0, column);
        this.reason = Objects.requireNonNull(reason, "reason");
    }

    private static String format(String source, int line, int column, String reason) {
        StringBuilder out = new StringBuilder(String.valueOf(source));
        if (line > 0) {
            out.append(':').append(line);
            if (column > 0) {
                out.append(':').append(column);
            }
        }
        return out.append(": ").append(reason).toString();
    }

    /**
     * Returns the source that was read.
     *
     * @return the file name or description
     */
    public String source() {
        return source;
    }

    /**
     * Returns the 1-based line of the problem.
     *
     * @return the line, or 0 if unknown
     */
    public int line() {
        return line;
    }

    /**
     * Returns the 1-based column of the problem.
     *
     * @return the column, or 0 if unknown
     */
    public int column() {
        return column;
    }

    /**
     * Returns what is wrong, without the location.
     *
     * @return the reason
     */
    public String reason() {
        return reason;
    }
}
