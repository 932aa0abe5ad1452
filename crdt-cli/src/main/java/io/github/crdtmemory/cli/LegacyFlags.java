/*
 * Copyright The crdt-memory authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.crdtmemory.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Accepts the earlier Python tool's flags: {@code --backup} (the {@code backup} command), {@code --merge}
 * (it fetched, merged and pushed: the {@code sync} command), {@code --file} ({@code --memory-file}),
 * {@code --repo} ({@code --store}; a plain git URL gets the {@code git+} prefix) and {@code --host}
 * ({@code --replica}). A translated command line earns one deprecation line on stderr.
 */
final class LegacyFlags {
    private static final Pattern SCP = Pattern.compile("([A-Za-z0-9._-]+@)?([A-Za-z0-9.-]+):([^/].*)");

    /**
     * The arguments to run and the notice to print, if any.
     *
     * @param args the translated arguments
     * @param notice the deprecation line, or null
     */
    record Translation(String[] args, @Nullable String notice) {
    }

    private LegacyFlags() {
    }

    static Translation translate(String[] args) {
        String command = null;
        List<String> options = new ArrayList<>();
        List<String> used = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            String name = a.contains("=") ? a.substring(0, a.indexOf('=')) : a;
            String inline = a.contains("=") ? a.substring(a.indexOf('=') + 1) : null;
            switch (name) {
                case "--backup" -> {
                    command = "backup";
                    used.add(a);
                }
                case "--merge" -> {
                    command = "sync";
                    used.add(a);
                }
                case "--file", "--repo", "--host" -> {
                    String value = inline != null ? inline : i + 1 < args.length ? args[++i] : null;
                    used.add(name);
                    if (value == null) {
                        options.add(name); // let the parser report the missing value
                        continue;
                    }
                    switch (name) {
                        case "--file" -> options.add("--memory-file");
                        case "--repo" -> {
                            options.add("--store");
                            value = storeOf(value);
                        }
                        default -> options.add("--replica");
                    }
                    options.add(value);
                }
                default -> options.add(a);
            }
        }
        if (used.isEmpty()) {
            return new Translation(args, null);
        }
        List<String> out = new ArrayList<>();
        boolean hasCommand = !options.isEmpty() && !options.get(0).startsWith("-");
        if (command != null) {
            out.add(command);
        } else if (!hasCommand) {
            out.add("sync");
        }
        out.addAll(options);
        return new Translation(out.toArray(String[]::new), "memory-backup: " + String.join(", ", used)
                + " are deprecated flags of the earlier tool; running: memory-backup "
                + io.github.crdtmemory.internal.Redaction.redact(String.join(" ", out)) + " (see docs/operations.md)");
    }

    /** A git URL of the earlier tool as a store URI: https/ssh/file get {@code git+}, scp-like becomes ssh. */
    static String storeOf(String repo) {
        String lower = repo.toLowerCase(Locale.ROOT);
        if (lower.startsWith("https://") || lower.startsWith("ssh://") || lower.startsWith("file://")) {
            return "git+" + repo;
        }
        Matcher m = SCP.matcher(repo);
        if (!repo.startsWith("/") && m.matches()) {
            return "git+ssh://" + (m.group(1) == null ? "" : m.group(1)) + m.group(2) + "/" + m.group(3);
        }
        return repo;
    }
}
