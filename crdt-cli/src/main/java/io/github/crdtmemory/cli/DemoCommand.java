/*
 * Copyright The crdt-memory authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.crdtmemory.cli;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.github.crdtmemory.core.ReplicaId;
import io.github.crdtmemory.git.GitStore;
import io.github.crdtmemory.git.GitStoreOptions;
import io.github.crdtmemory.internal.PrivateFiles;
import io.github.crdtmemory.sync.SyncEngine;
import io.github.crdtmemory.sync.SyncReport;
import io.github.crdtmemory.sync.SyncSettings;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code demo}: two replicas in a temporary folder, syncing through a bare git repository there, with
 * the concurrent edits that broke the earlier tools. Touches nothing outside its folder, which it
 * deletes at the end unless {@code --keep}.
 */
@Command(name = "demo", mixinStandardHelpOptions = true, versionProvider = Version.class,
        description = "Show two replicas (alice, and bob with a clock two hours behind) making concurrent edits "
                + "that broke the earlier tools, syncing through a bare git repository in a temporary folder, "
                + "and converging. Touches nothing outside that folder.")
final class DemoCommand implements Callable<Integer> {
    private static final String START = """
            {"type":"entity","name":"Ada Lovelace","entityType":"person","observations":["wrote the first program"]}
            {"type":"entity","name":"Charles Babbage","entityType":"person","observations":["designed the Analytical Engine"]}
            {"type":"entity","name":"Old note","entityType":"note","observations":["delete me"]}
            {"type":"relation","from":"Ada Lovelace","to":"Charles Babbage","relationType":"worked with"}
            """;
    private static final String ALICE_EDIT = """
            {"type":"entity","name":"Ada Lovelace","entityType":"person","observations":["wrote the first program","translated Menabrea's paper"]}
            {"type":"entity","name":"Charles Babbage","entityType":"mathematician","observations":["designed the Analytical Engine"]}
            {"type":"entity","name":"Old note","entityType":"note","observations":["delete me"]}
            {"type":"relation","from":"Ada Lovelace","to":"Charles Babbage","relationType":"worked with"}
            """;
    private static final String BOB_EDIT = """
            {"type":"entity","name":"Ada Lovelace","entityType":"person","observations":["wrote the first program","born in 1815"]}
            {"type":"entity","name":"Charles Babbage","entityType":"person","observations":["designed the Analytical Engine"]}
            {"type":"relation","from":"Ada Lovelace","to":"Charles Babbage","relationType":"worked with"}
            """;

    @Option(names = "--json", description = "Print one JSON object: the folder, the reports, the files after.")
    boolean json;

    @Option(names = "--keep", description = "Keep the temporary folder and print its path.")
    boolean keep;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        Path root = Files.createTempDirectory("memory-backup-demo-");
        try {
            return run(root);
        } finally {
            if (!keep) {
                delete(root);
            }
        }
    }

    private int run(Path root) throws IOException {
        PrintWriter out = spec.commandLine().getOut();
        Path remote = root.resolve("remote.git");
        GitStore.createRemote(remote, GitStoreOptions.DEFAULT_TIMEOUT); // as the demo's store
        Path alice = root.resolve("alice/memory.jsonl");
        Path bob = root.resolve("bob/memory.jsonl");
        PrivateFiles.createDirectories(PrivateFiles.parentOf(alice));
        PrivateFiles.createDirectories(PrivateFiles.parentOf(bob));
        PrivateFiles.replace(alice, START.getBytes(StandardCharsets.UTF_8));
        List<SyncReport> reports = new ArrayList<>();
        StringBuilder human = new StringBuilder("demo folder: " + root + "\n\n");
        String beforeAlice;
        String beforeBob;
        try (GitStore store = GitStore.open(GitStoreOptions.of(remote.toString(), root.resolve("cache")))) {
            SyncEngine a = SyncEngine.create(SyncSettings.of(alice, root.resolve("alice/state"), ReplicaId.of("alice")),
                    store);
            SyncEngine b = SyncEngine.create(SyncSettings.of(bob, root.resolve("bob/state"), ReplicaId.of("bob"))
                    .withPhysicalClock(() -> System.currentTimeMillis() - Duration.ofHours(2).toMillis()), store);
            reports.add(a.sync());
            reports.add(b.restore());
            human.append("1. alice syncs her memory file, bob restores it from the store.\n\n");

            PrivateFiles.replace(alice, ALICE_EDIT.getBytes(StandardCharsets.UTF_8));
            PrivateFiles.replace(bob, BOB_EDIT.getBytes(StandardCharsets.UTF_8));
            beforeAlice = Files.readString(alice);
            beforeBob = Files.readString(bob);
            human.append("2. concurrent edits, before any sync (bob's clock is two hours behind):\n")
                    .append("   alice adds an observation to Ada and makes Babbage a mathematician:\n")
                    .append(indent(beforeAlice))
                    .append("   bob adds another observation to Ada and deletes the old note:\n")
                    .append(indent(beforeBob)).append('\n');

            reports.add(a.sync());
            reports.add(b.sync());
            reports.add(a.sync());
            human.append("3. alice syncs, bob syncs, alice syncs:\n");
            for (SyncReport r : reports.subList(2, 5)) {
                human.append(indent(Reports.summary("synced", r)));
            }
        }
        String afterAlice = Files.readString(alice);
        String afterBob = Files.readString(bob);
        boolean converged = afterAlice.equals(afterBob);
        human.append("\n4. after: both files are ").append(converged ? "identical" : "DIFFERENT (a bug)").append(":\n")
                .append(indent(afterAlice))
                .append("   both observations on Ada are kept, the deletion from the slow clock holds, and the\n")
                .append("   type change survives: hybrid logical clocks order edits that saw each other, whatever\n")
                .append("   the wall clocks say.\n");
        if (keep) {
            human.append("\nkept: ").append(root).append('\n');
        }
        if (json) {
            out.println(json(root, reports, beforeAlice, beforeBob, afterAlice, afterBob, converged));
        } else {
            out.print(human);
        }
        out.flush();
        return converged ? ExitStatus.OK : ExitStatus.INTERNAL;
    }

    private String json(Path root, List<SyncReport> reports, String beforeAlice, String beforeBob, String afterAlice,
                        String afterBob, boolean converged) throws IOException {
        StringWriter w = new StringWriter();
        try (JsonGenerator g = new JsonFactory().createGenerator(w)) {
            g.writeStartObject();
            g.writeStringField("format", "crdt-memory-demo");
            g.writeNumberField("version", 1);
            g.writeStringField("folder", root.toString());
            g.writeBooleanField("kept", keep);
            g.writeObjectFieldStart("before");
            g.writeStringField("alice", beforeAlice);
            g.writeStringField("bob", beforeBob);
            g.writeEndObject();
            g.writeObjectFieldStart("after");
            g.writeStringField("alice", afterAlice);
            g.writeStringField("bob", afterBob);
            g.writeEndObject();
            g.writeBooleanField("converged", converged);
            g.writeFieldName("reports");
            g.writeStartArray();
            for (SyncReport r : reports) {
                g.writeRawValue(r.toJson());
            }
            g.writeEndArray();
            g.writeEndObject();
        }
        return w.toString();
    }

    private static String indent(String text) {
        StringBuilder out = new StringBuilder();
        text.lines().forEach(l -> out.append("   ").append(l).append('\n'));
        return out.toString();
    }

    private static void delete(Path root) throws IOException {
        try (Stream<Path> all = Files.walk(root)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
