/*
 * Copyright The crdt-memory authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.crdtmemory.cli;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.crdtmemory.git.GitStore;
import io.github.crdtmemory.internal.PrivateFiles;
import io.github.crdtmemory.memory.MemoryFileCodec;
import io.github.crdtmemory.memory.MemoryFormatException;
import io.github.crdtmemory.memory.MemoryState;
import io.github.crdtmemory.memory.StateCodec;
import io.github.crdtmemory.store.CorruptStateException;
import io.github.crdtmemory.store.PublishedState;
import io.github.crdtmemory.store.Quarantine;
import io.github.crdtmemory.store.ReplicaStore;
import io.github.crdtmemory.store.Snapshot;
import java.io.IOException;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;

/**
 * {@code verify}: every replica state in the store parses and is canonical, every state lies below
 * the join, and (for a git store) the manifest's checksums and counts and the unified view on
 * {@code main} agree with the states. A quarantined replica (its state, ref or objects cannot be read, or
 * its state is over {@code --max-state-size}) is a problem: it is named with the reason, the other
 * replicas are checked all the same, and the exit code is 6.
 */
@Command(name = "verify", mixinStandardHelpOptions = true, versionProvider = Version.class,
        description = "Check every replica state in the store: it parses, is canonical, lies below the join; "
                + "for a git store the manifest's checksums and counts and the unified view on main match. "
                + "Exit 6 when not, or when a replica is quarantined (unreadable, or over --max-state-size).")
final class VerifyCommand extends WorkingCommand {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    @Override
    public Integer call() throws Exception {
        Workspace w = workspace();
        List<String> problems = new ArrayList<>();
        List<String> notes = new ArrayList<>();
        Snapshot snapshot = null;
        try (ReplicaStore store = w.openStore()) {
            try {
                snapshot = store.read();
            } catch (CorruptStateException | MemoryFormatException e) {
                problems.add(e.getMessage());
            }
            if (snapshot != null) {
                snapshot.quarantined().forEach(q -> problems.add("replica " + q.replica() + " is quarantined: "
                        + q.reason()));
                MemoryState joined = checkStates(snapshot, problems);
                if (w.keyFile().isPresent()) {
                    notes.add("the store is encrypted: it keeps no unified view on main; checked the replica states");
                } else if (store instanceof GitStore git) {
                    checkUnified(git, snapshot, joined, problems, notes);
                } else {
                    notes.add("this store keeps no unified view; checked the replica states only");
                }
            }
            print(json(store.description(), snapshot, problems, notes), human(store.description(), snapshot, problems,
                    notes));
        }
        if (!problems.isEmpty()) {
            if (shared.json) {
                return ExitStatus.VERIFICATION; // the JSON object above already says why
            }
            throw new CommandFailure(ExitStatus.VERIFICATION, "VERIFICATION",
                    problems.size() + " verification problem(s): " + String.join("; ", problems));
        }
        return ExitStatus.OK;
    }

    private static MemoryState checkStates(Snapshot snapshot, List<String> problems) {
        List<MemoryState> states = new ArrayList<>();
        for (PublishedState p : snapshot.states()) {
            byte[] bytes = StateCodec.encode(p.state());
            MemoryState back = StateCodec.decode(bytes, "replica " + p.replica());
            if (!back.equals(p.state())) {
                problems.add("replica " + p.replica() + ": the state does not survive its canonical encoding");
            }
            states.add(p.state());
        }
        MemoryState joined = MemoryState.joinAll(states);
        for (PublishedState p : snapshot.states()) {
            if (!p.state().join(joined).equals(joined)) {
                problems.add("replica " + p.replica() + ": its state is not below the join of all states");
            }
        }
        return joined;
    }

    private static void checkUnified(GitStore git, Snapshot snapshot, MemoryState joined, List<String> problems,
                                     List<String> notes) {
        Optional<GitStore.Unified> unified = git.readUnified();
        if (unified.isEmpty()) {
            notes.add("main does not exist yet (no publication since the store was created)");
            return;
        }
        GitStore.Unified u = unified.get();
        JsonNode manifest;
        try {
            manifest = MAPPER.readTree(u.manifest());
        } catch (IOException e) {
            problems.add("manifest.json on main " + u.commit() + " does not parse: " + e.getMessage());
            return;
        }
        if (!"crdt-memory-manifest".equals(manifest.path("format").asText())) {
            problems.add("manifest.json on main " + u.commit() + " is not a crdt-memory manifest");
            return;
        }
        if (!manifest.path("memorySha256").asText().equals(PrivateFiles.sha256(u.memory()))) {
            problems.add(memoryName(u) + " on main " + u.commit() + " does not match the manifest's SHA-256");
        }
        try {
            MemoryFileCodec.parse(u.memory(), memoryName(u) + " on main " + u.commit());
        } catch (MemoryFormatException e) {
            problems.add(e.getMessage());
        }
        Map<String, String> listed = new HashMap<>();
        for (JsonNode r : manifest.path("replicas")) {
            String id = r.path("replica").asText();
            String commit = r.path("commit").asText();
            listed.put(id, commit);
            Optional<PublishedState> now = snapshot.states().stream()
                    .filter(s -> s.replica().value().equals(id)).findFirst();
            if (now.isEmpty() || !now.get().revision().token().equals(commit)) {
                continue; // the replica moved on since main was written
            }
            MemoryState state = now.get().state();
            if (r.has("stateTree")) { // manifest version 2: the id of the state's format 2 tree
                if (!r.path("stateTree").asText().equals(GitStore.stateTree(now.get().replica(), state))) {
                    problems.add("replica " + id + ": its state's tree id differs from the manifest on main");
                }
            } else if (!r.path("stateSha256").asText().equals(PrivateFiles.sha256(StateCodec.encode(state)))) {
                problems.add("replica " + id + ": SHA-256 differs from the manifest on main");
            }
            if (r.path("atoms").asInt(-1) != state.size()) {
                problems.add("replica " + id + ": " + state.size() + " atoms, the manifest says "
                        + r.path("atoms").asText());
            }
        }
        Map<String, String> current = new HashMap<>();
        snapshot.states().forEach(s -> current.put(s.replica().value(), s.revision().token()));
        if (current.equals(listed)) {
            if (!u.holds(joined.view())) {
                problems.add(memoryName(u) + " on main " + u.commit() + " differs from the join of the replica states");
            }
        } else {
            notes.add("the unified view on main is behind the replica refs; it catches up at the next publication");
        }
    }

    /** What people see on {@code main}: {@code memory.jsonl} (layout 1) or {@code memory/*.jsonl} (layout 2). */
    private static String memoryName(GitStore.Unified u) {
        return u.layout() == 1 ? "memory.jsonl" : "memory/*.jsonl";
    }

    private static String json(String store, @Nullable Snapshot snapshot, List<String> problems, List<String> notes) {
        StringWriter out = new StringWriter();
        try (JsonGenerator g = new JsonFactory().createGenerator(out)) {
            g.writeStartObject();
            g.writeStringField("format", "crdt-memory-verify");
            g.writeNumberField("version", 1);
            g.writeStringField("store", store);
            g.writeBooleanField("ok", problems.isEmpty());
            g.writeNumberField("replicas", snapshot == null ? 0 : snapshot.size());
            g.writeArrayFieldStart("problems");
            for (String p : problems) {
                g.writeString(p);
            }
            g.writeEndArray();
            g.writeArrayFieldStart("notes");
            for (String n : notes) {
                g.writeString(n);
            }
            g.writeEndArray();
            g.writeArrayFieldStart("quarantined");
            for (Quarantine q : snapshot == null ? List.<Quarantine>of() : snapshot.quarantined()) {
                g.writeStartObject();
                g.writeStringField("replica", q.replica().value());
                g.writeStringField("reason", q.reason());
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeEndObject();
        } catch (IOException e) {
            throw new IllegalStateException("writing to memory cannot fail", e);
        }
        return out.toString();
    }

    private static String human(String store, @Nullable Snapshot snapshot, List<String> problems, List<String> notes) {
        StringBuilder out = new StringBuilder();
        out.append(problems.isEmpty() ? "verified " : "verification FAILED for ").append(store).append(": ")
                .append(snapshot == null ? 0 : snapshot.size()).append(" replica states\n");
        problems.forEach(p -> out.append("  problem: ").append(p).append('\n'));
        notes.forEach(n -> out.append("  note: ").append(n).append('\n'));
        return out.toString();
    }
}
