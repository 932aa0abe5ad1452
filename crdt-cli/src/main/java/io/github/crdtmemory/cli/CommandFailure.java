/*
 * Copyright The crdt-memory authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.crdtmemory.cli;

/** A failure a command detected itself, with the exit code it ends the process with. */
final class CommandFailure extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final int code;
    private final String kind;

    CommandFailure(int code, String kind, String message) {
        super(message);
        this.code = code;
        this.kind = kind;
    }

    static CommandFailure badInput(String message) {
        return new CommandFailure(ExitStatus.BAD_INPUT, "BAD_INPUT", message);
    }

    static CommandFailure usage(String message) {
        return new CommandFailure(ExitStatus.USAGE, "USAGE", message);
    }

    int code() {
        return code;
    }

    String kind() {
        return kind;
    }
}
