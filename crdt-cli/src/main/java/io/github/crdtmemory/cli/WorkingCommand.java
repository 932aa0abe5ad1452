/*
 * Copyright The crdt-memory authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.crdtmemory.cli;

import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** A command that works on a memory file, a store and a replica: the shared options and output. */
abstract class WorkingCommand implements Callable<Integer> {
    @Mixin
    SharedOptions shared;

    @Spec
    CommandSpec spec;

    Workspace workspace() {
        return Workspace.resolve(shared, Environment.current());
    }

    PrintWriter out() {
        return spec.commandLine().getOut();
    }

    /** Prints {@code json} in JSON mode, else {@code human} unless quiet. */
    void print(String json, String human) {
        if (shared.json) {
            out().println(json);
        } else if (!shared.quiet) {
            out().print(human);
        }
        out().flush();
    }

    AutoCloseable progress(String what) {
        return Progress.start(what, !shared.json && !shared.quiet, System.err);
    }
}
