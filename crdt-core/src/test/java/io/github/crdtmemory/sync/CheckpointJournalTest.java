/*
 * Copyright The crdt-memory authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.crdtmemory.sync;

import static io.github.crdtmemory.sync.Host.withObservation;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.crdtmemory.core.Clock;
import io.github.crdtmemory.core.ReplicaId;
import io.github.crdtmemory.core.Timestamp;
import io.github.crdtmemory.internal.PrivateFiles;
import io.github.crdtmemory.memory.Entity;
import io.github.crdtmemory.memory.MemoryFileCodec;
import io.github.crdtmemory.memory.MemoryGraph;
import io.github.crdtmemory.memory.MemoryState;
import io.github.crdtmemory.memory.StateCodec;
import io.github.crdtmemory.store.CorruptStateException;
import io.github.crdtmemory.store.MemoryStore;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The checkpoint as a snapshot plus a journal: an edit appends one record, a torn tail is dropped, a
 * damaged record is refused, a version 1 checkpoint is read and migrated, the snapshot is rewritten
 * when the journal passes its share, and a crash at every step of an append or a rewrite loses no
 * acknowledged edit.
 */
final class CheckpointJournalTest {
    private static final ReplicaId REPLICA = ReplicaId.of("r");

    @TempDir
    Path temp;

    private MemoryStore store;
    private Path memory;
    private Path state;

    @BeforeEach
    void open() {
        store = MemoryStore.create("journal");
        memory = temp.resolve("memory.jsonl");
        state = temp.resolve("state");
    }

    @AfterEach
    void close() {
        store.close();
    }

    private SyncSettings settings() {
        return SyncSettings.of(memory, state, REPLICA);
    }

    private SyncEngine engine() {
        return SyncEngine.create(settings(), store);
    }

    private static MemoryGraph add(MemoryGraph g, String name, String text) {
        return withObservation(g, name, "thing", text);
    }

    /** What a fresh process reads from the state directory. */
    private Checkpoint fresh() {
        return new StateDirectory(state, REPLICA).load().orElseThrow();
    }

    private Object fileKey(Path file) throws IOException {
        return Files.readAttributes(file, BasicFileAttributes.class).fileKey();
    }

    @Test
    void anEditAppendsOneRecordAndLeavesTheSnapshotAlone() throws IOException {
        SyncEngine engine = engine();
        engine.edit(g -> add(g, "Ada", "a0"));
        Path snapshot = state.resolve(StateDirectory.CHECKPOINT_FILE);
        Path journal = state.resolve(StateDirectory.JOURNAL_FILE);
        byte[] before = Files.readAllBytes(snapshot);
        Object key = fileKey(snapshot);
        long size = Files.size(journal);
        for (int i = 1; i <= 3; i++) {
            String text = "a" + i;
            engine.edit(g -> add(g, "Ada", text));
            assertThat(Files.size(journal)).as("edit %d appended", i).isGreaterThan(size);
            size = Files.size(journal);
        }
        assertThat(fileKey(snapshot)).as("the snapshot was not rewritten").isEqualTo(key);
        assertThat(Files.readAllBytes(snapshot)).isEqualTo(before);
        Checkpoint cp = fresh();
        assertThat(cp.state().view()).isEqualTo(Host.read(memory));
        assertThat(cp.base()).isEqualTo(Host.read(memory));
        assertThat(cp.pending()).as("the landed write-back is recorded").isNull();
    }

    @Test
    void aTornTailIsDroppedAndTheNextAppendGoesOverIt() throws IOException {
        SyncEngine engine = engine();
        engine.edit(g -> add(g, "Ada", "a"));
        engine.edit(g -> add(g, "Ada", "b"));
        Checkpoint before = fresh();
        Path journal = state.resolve(StateDirectory.JOURNAL_FILE);
        byte[] good = Files.readAllBytes(journal);
        // a crash in the middle of an append: the start of a record, its payload cut short
        Files.write(journal, "{\"length\":4000,\"sha256\":\"00\"}\n{\"clock\":[1,".getBytes(StandardCharsets.UTF_8),
                StandardOpenOption.APPEND);
        Checkpoint torn = fresh();
        assertThat(torn.state()).isEqualTo(before.state());
        assertThat(torn.base()).isEqualTo(before.base());

        engine().edit(g -> add(g, "Ada", "c"));
        byte[] after = Files.readAllBytes(journal);
        assertThat(Arrays.copyOf(after, good.length)).as("the valid records stay").isEqualTo(good);
        assertThat(new String(after, StandardCharsets.UTF_8)).doesNotContain("\"length\":4000");
        assertThat(fresh().state().view().entity("Ada").orElseThrow().observations()).containsExactly("a", "b", "c");
    }

    @Test
    void aRecordCutAtEveryByteIsDroppedWholeAndTheRecordsBeforeItStay() throws IOException {
        SyncEngine engine = engine();
        engine.edit(g -> add(g, "Ada", "a"));
        engine.edit(g -> add(g, "Ada", "b"));
        Path journal = state.resolve(StateDirectory.JOURNAL_FILE);
        int edited = Files.readAllBytes(journal).length;
        engine.edit(g -> add(g, "Ada", "c")); // two records: the edit with its pending write-back, then "landed"
        byte[] full = Files.readAllBytes(journal);
        int landed = lastIndexOf(full, "{\"length\":");
        assertThat(landed).isGreaterThan(edited);

        Checkpoint beforeEdit = loadCut(journal, full, edited);
        Checkpoint beforeLanded = loadCut(journal, full, landed);
        Checkpoint after = loadCut(journal, full, full.length);
        assertThat(beforeLanded.state()).as("the edit's record adds c").isNotEqualTo(beforeEdit.state());
        assertThat(after.base()).as("the landed record moves the base").isNotEqualTo(beforeLanded.base());
        for (int end = edited; end < full.length; end++) { // a crash that wrote end bytes of the journal
            Checkpoint torn = loadCut(journal, full, end);
            Checkpoint expected = end < landed ? beforeEdit : beforeLanded;
            assertThat(torn.state()).as("cut at %d of %d", end, full.length).isEqualTo(expected.state());
            assertThat(torn.base()).as("cut at %d of %d", end, full.length).isEqualTo(expected.base());
            assertThat(torn.pending() == null).as("cut at %d of %d", end, full.length)
                    .isEqualTo(expected.pending() == null);
        }
        Files.write(journal, full);
        assertThat(fresh().state().view().entity("Ada").orElseThrow().observations()).contains("a", "b", "c");
    }

    /** What a fresh process reads when the journal holds only its first {@code end} bytes. */
    private Checkpoint loadCut(Path journal, byte[] full, int end) throws IOException {
        Files.write(journal, Arrays.copyOf(full, end));
        return new StateDirectory(state, REPLICA).load().orElseThrow();
    }

    private static int lastIndexOf(byte[] bytes, String text) {
        byte[] t = text.getBytes(StandardCharsets.UTF_8);
        for (int i = bytes.length - t.length; i >= 0; i--) {
            if (Arrays.equals(bytes, i, i + t.length, t, 0, t.length)) {
                return i;
            }
        }
        return -1;
    }

    @Test
    void aDamagedRecordFollowedByAValidOneIsRefusedAndNothingIsWritten() throws IOException {
        SyncEngine engine = engine();
        engine.edit(g -> add(g, "Ada", "a"));
        engine.edit(g -> add(g, "Ada", "b"));
        engine.edit(g -> add(g, "Ada", "c"));
        Path journal = state.resolve(StateDirectory.JOURNAL_FILE);
        byte[] bytes = Files.readAllBytes(journal);
        int second = indexOf(bytes, "{\"length\":", indexOf(bytes, "{\"length\":", 0) + 1);
        int payload = indexOf(bytes, "\n", second) + 5;
        bytes[payload] ^= 0x01;
        Files.write(journal, bytes);
        byte[] file = Files.readAllBytes(memory);

        assertThatThrownBy(() -> engine().edit(g -> add(g, "Ada", "d"))).isInstanceOf(CorruptStateException.class)
                .hasMessageContaining("does not check out");
        assertThatThrownBy(engine::sync).as("the engine that wrote it reads it again too")
                .isInstanceOf(CorruptStateException.class);
        assertThat(Files.readAllBytes(journal)).isEqualTo(bytes);
        assertThat(Files.readAllBytes(memory)).isEqualTo(file);
    }

    @Test
    void aVersion1CheckpointIsReadAndMigrated() throws IOException {
        MemoryGraph graph = MemoryGraph.of(List.of(Entity.of("Ada", "person", "x"), Entity.of("Bob", "person", "y")),
                List.of());
        Clock clock = Clock.hybrid(REPLICA, () -> 1_700_000_000_000L, Timestamp.ZERO);
        MemoryState v1State = MemoryState.fromGraph(graph, clock);
        byte[] file = MemoryFileCodec.write(graph, true);
        Files.write(memory, file);
        // as version 1 wrote it after a crash just after the rename: the base is still empty and the
        // pending write-back is what the file holds
        PrivateFiles.createDirectories(state);
        Files.write(state.resolve(StateDirectory.CHECKPOINT_FILE), version1(clock.current(), v1State,
                MemoryGraph.empty(), file));

        SyncEngine engine = engine();
        assertThat(engine.status().localEdits()).as("the pending write-back landed: no edits").isZero();
        engine.edit(g -> add(g, "Ada", "z"));
        String header = new String(Files.readAllBytes(state.resolve(StateDirectory.CHECKPOINT_FILE)),
                StandardCharsets.UTF_8).lines().findFirst().orElseThrow();
        assertThat(header).contains("\"version\":2").contains("\"epoch\":");
        assertThat(state.resolve(StateDirectory.JOURNAL_FILE)).exists();
        Checkpoint cp = fresh();
        assertThat(v1State.atoms().isCoveredBy(cp.state().atoms())).as("every version 1 register kept").isTrue();
        v1State.atoms().forEach((k, r) -> assertThat(cp.state().atoms().get(k)).as("%s not stamped again", k)
                .contains(r));
        assertThat(Host.read(memory).entity("Ada").orElseThrow().observations()).containsExactly("x", "z");
    }

    /** A checkpoint in the version 1 layout. */
    private static byte[] version1(Timestamp clock, MemoryState s, MemoryGraph base, byte[] pending) {
        byte[] stateBytes = StateCodec.encode(s);
        byte[] baseBytes = MemoryFileCodec.write(base, true);
        byte[] all = new byte[stateBytes.length + baseBytes.length + pending.length];
        System.arraycopy(stateBytes, 0, all, 0, stateBytes.length);
        System.arraycopy(baseBytes, 0, all, stateBytes.length, baseBytes.length);
        System.arraycopy(pending, 0, all, stateBytes.length + baseBytes.length, pending.length);
        String header = "{\"format\":\"crdt-memory-checkpoint\",\"version\":1,\"replica\":\"r\",\"clock\":["
                + clock.wallMillis() + "," + clock.counter() + "],\"state\":" + stateBytes.length + ",\"base\":"
                + baseBytes.length + ",\"pending\":" + pending.length + ",\"sha256\":\"" + PrivateFiles.sha256(all)
                + "\"}\n";
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        byte[] out = Arrays.copyOf(h, h.length + all.length);
        System.arraycopy(all, 0, out, h.length, all.length);
        return out;
    }

    @Test
    void aPendingWriteBackKeepsItsNewlineAndTemporaryFileInTheJournalAndInTheSnapshot() throws IOException {
        Clock clock = Clock.hybrid(REPLICA, () -> 1_700_000_000_000L, Timestamp.ZERO);
        MemoryGraph base = MemoryGraph.of(List.of(Entity.of("Ada", "person", "x")), List.of());
        MemoryState local = MemoryState.fromGraph(add(base, "Ada", "y"), clock);
        MemoryGraph view = local.view(); // what a write-back writes
        Checkpoint.Pending pending = Checkpoint.Pending.of(view, true, MemoryFileCodec.write(view, true))
                .withFile(".memory.jsonl.4711.tmp");

        PrivateFiles.createDirectories(state);
        StateDirectory journaled = new StateDirectory(state, REPLICA);
        journaled.save(new Checkpoint(clock.current(), local, base, null));
        long journalBefore = Files.size(state.resolve(StateDirectory.JOURNAL_FILE));
        journaled.save(new Checkpoint(clock.current(), local, base, pending));
        assertThat(Files.size(state.resolve(StateDirectory.JOURNAL_FILE))).as("a journal record")
                .isGreaterThan(journalBefore);
        assertSamePending(fresh().pending(), pending);

        Path other = temp.resolve("state-snapshot");
        PrivateFiles.createDirectories(other);
        new StateDirectory(other, REPLICA).save(new Checkpoint(clock.current(), local, base, pending));
        assertThat(new String(Files.readAllBytes(other.resolve(StateDirectory.CHECKPOINT_FILE)),
                StandardCharsets.UTF_8)).as("the first save writes a snapshot").contains(pending.file());
        assertSamePending(new StateDirectory(other, REPLICA).load().orElseThrow().pending(), pending);
    }

    private static void assertSamePending(Checkpoint.@org.jspecify.annotations.Nullable Pending read,
            Checkpoint.Pending written) {
        assertThat(read).as("the pending write-back").isNotNull();
        assertThat(read.trailingNewline()).as("its trailing newline").isTrue();
        assertThat(read.file()).as("its temporary file").isEqualTo(written.file());
        assertThat(read.length()).isEqualTo(written.length());
        assertThat(read.crc32c()).isEqualTo(written.crc32c());
        assertThat(read.view()).isEqualTo(written.view());
    }

    @Test
    void theSnapshotIsRewrittenWhenTheJournalPassesItsShare() throws IOException {
        SyncEngine engine = SyncEngine.withHook(settings(), store, StepHook.NONE, 3000);
        Path snapshot = state.resolve(StateDirectory.CHECKPOINT_FILE);
        Set<Object> snapshots = new HashSet<>();
        int appends = 0;
        for (int i = 0; i < 30; i++) {
            String text = "o" + i;
            engine.edit(g -> add(g, "E" + (text.length() % 3), text));
            if (snapshots.add(fileKey(snapshot)) && i > 0) {
                String journal = Files.readString(state.resolve(StateDirectory.JOURNAL_FILE));
                assertThat(journal.split("\\{\"length\":", -1)).as("a fresh journal: at most the landing record")
                        .hasSizeLessThanOrEqualTo(2);
            } else {
                appends++;
            }
            if (i % 10 == 9) {
                engine.sync();
            }
        }
        assertThat(snapshots).as("rewritten a few times").hasSizeGreaterThan(2);
        assertThat(appends).as("appended in between").isGreaterThan(10);
        assertThat(fresh().state().view()).isEqualTo(Host.read(memory));
        assertThat(fresh().base()).isEqualTo(Host.read(memory));
    }

    @Test
    void aCrashAtEveryStepOfAnAppendOrARewriteLosesNoAcknowledgedEdit() throws IOException {
        StepHook.Step[] steps = {StepHook.Step.JOURNAL_WRITTEN, StepHook.Step.SNAPSHOT_WRITTEN,
            StepHook.Step.SNAPSHOT_RENAMED};
        for (StepHook.Step step : steps) {
            for (boolean torn : step == StepHook.Step.JOURNAL_WRITTEN ? new boolean[] {false, true}
                    : new boolean[] {false}) {
                for (int nth = 1; nth <= 3; nth++) {
                    crashAt(step, torn, nth);
                }
            }
        }
    }

    /**
     * Acknowledged edits, then an edit or sync that dies at the {@code nth} {@code step} (after cutting the
     * journal's last record short if {@code torn}), then a fresh engine: everything acknowledged is in
     * the file and the state, the dead edit is in both or in neither, and the state directory reads.
     */
    private void crashAt(StepHook.Step step, boolean torn, int nth) throws IOException {
        String context = step + (torn ? " torn" : "") + " #" + nth;
        Path root = temp.resolve(step + "-" + torn + "-" + nth);
        memory = root.resolve("memory.jsonl");
        state = root.resolve("state");
        List<String> acknowledged = new ArrayList<>();
        SyncEngine live = SyncEngine.withHook(settings(), store, StepHook.NONE, 1500);
        for (int i = 0; i < 4; i++) {
            String text = "ack" + i;
            live.edit(g -> add(g, "Ada", text));
            acknowledged.add(text);
        }
        AtomicInteger seen = new AtomicInteger();
        Path journal = state.resolve(StateDirectory.JOURNAL_FILE);
        SyncEngine dying = SyncEngine.withHook(settings(), store, s -> {
            if (s == step && seen.incrementAndGet() == nth) {
                if (torn && s == StepHook.Step.JOURNAL_WRITTEN) {
                    cut(journal);
                }
                throw new IllegalStateException("killed at " + s);
            }
        }, 1500);
        boolean died = false;
        for (int i = 0; i < 40 && !died; i++) {
            String text = "dying" + i;
            try {
                if (i % 4 == 3) {
                    dying.sync();
                } else {
                    dying.edit(g -> add(g, "Ada", text));
                    acknowledged.add(text);
                }
            } catch (IllegalStateException e) {
                assertThat(e).as(context).hasMessageContaining("killed");
                died = true;
            }
        }
        assertThat(died).as(context + ": the step was reached").isTrue();
        SyncEngine after = SyncEngine.withHook(settings(), store, StepHook.NONE, 1500);
        after.edit(g -> add(g, "Ada", "after"));
        after.sync();
        MemoryGraph file = Host.read(memory);
        List<String> observations = file.entity("Ada").orElseThrow().observations();
        assertThat(observations).as(context).containsAll(acknowledged).contains("after");
        Checkpoint cp = fresh();
        assertThat(cp.state().view()).as(context + ": the state shows what the file holds").isEqualTo(file);
        assertThat(cp.base()).as(context).isEqualTo(file);
    }

    /** Cuts the journal's last 7 bytes: the record being appended reached the disk only in part. */
    private static void cut(Path journal) {
        try (FileChannel ch = FileChannel.open(journal, StandardOpenOption.WRITE)) {
            ch.truncate(ch.size() - 7);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void theFileThisProcessWroteIsNotReadAgainButAnotherWritersIs() throws IOException {
        SyncEngine engine = engine();
        engine.edit(g -> add(g, "Ada", "aaaa"));
        MemoryGraph first = engine.read();
        assertThat(engine.read()).as("not parsed again").isSameAs(first);
        // another writer rewrites the file in place: same inode, same size
        byte[] bytes = Files.readAllBytes(memory);
        int at = indexOf(bytes, "aaaa", 0);
        try (FileChannel ch = FileChannel.open(memory, StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.wrap("bbbb".getBytes(StandardCharsets.UTF_8)), at);
        }
        assertThat(Files.size(memory)).isEqualTo(bytes.length);
        assertThat(engine.read().entity("Ada").orElseThrow().observations()).containsExactly("bbbb");
        engine.edit(g -> add(g, "Ada", "c"));
        assertThat(Host.read(memory).entity("Ada").orElseThrow().observations()).containsExactly("bbbb", "c");
        assertThat(fresh().state().view()).isEqualTo(Host.read(memory));
    }

    private static int indexOf(byte[] bytes, String text, int from) {
        byte[] t = text.getBytes(StandardCharsets.UTF_8);
        for (int i = from; i + t.length <= bytes.length; i++) {
            if (Arrays.equals(bytes, i, i + t.length, t, 0, t.length)) {
                return i;
            }
        }
        throw new AssertionError(text + " not found");
    }
}
