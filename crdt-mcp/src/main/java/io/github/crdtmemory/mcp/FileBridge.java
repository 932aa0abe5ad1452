/*
 * Copyright The crdt-memory authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.crdtmemory.mcp;

import io.github.crdtmemory.internal.PrivateFiles;
import io.github.crdtmemory.live.LiveMemory;
import io.github.crdtmemory.live.Observations;
import io.github.crdtmemory.memory.Entity;
import io.github.crdtmemory.memory.MemoryFileCodec;
import io.github.crdtmemory.memory.MemoryGraph;
import io.github.crdtmemory.memory.Relation;
import io.github.crdtmemory.sync.SyncEngine;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Keeps a {@link LiveMemory} and the JSONL memory file in step, so the HTTP server can own the memory
 * while {@code memory-backup}, stdio servers and editors still use the file. One {@link #step()} is one
 * {@link SyncEngine#edit} (under the state directory's lock, taking turns with those tools): what
 * others changed in the file since this bridge last wrote it ({@code base}, kept in a file beside the
 * live state, so a restart does not mistake a missing write for a deletion) is applied to the live
 * memory as tool calls, then the live graph is written to the file. Not thread-safe: one thread steps.
 */
final class FileBridge {
    private final LiveMemory memory;
    private final SyncEngine engine;
    private final Path baseFile;
    private MemoryGraph base;
    private long exportedVersion = -1;
    private @Nullable Object fileStamp; // null until the first export

    /**
     * @param memory the live memory
     * @param engine the engine of the memory file (its state directory is the one other tools use)
     * @param baseFile where the graph last written to the file is kept
     * @param liveIsNew true if the live memory was just created: the whole file is then imported
     */
    FileBridge(LiveMemory memory, SyncEngine engine, Path baseFile, boolean liveIsNew) throws IOException {
        this.memory = memory;
        this.engine = engine;
        this.baseFile = baseFile;
        var bytes = liveIsNew ? java.util.Optional.<byte[]>empty() : PrivateFiles.readIfExists(baseFile);
        this.base = bytes.isPresent() ? MemoryFileCodec.parse(bytes.get(), baseFile.toString()).graph()
                : MemoryGraph.empty();
    }

    /** True if the live memory changed since the last export. */
    boolean liveChanged() {
        return memory.version() != exportedVersion;
    }

    /** True if the file looks changed by another writer since this bridge last wrote or read it. */
    boolean fileChanged() {
        return !Objects.equals(fileStamp, fileStamp());
    }

    /**
     * Imports the file's foreign edits into the live memory and writes the live graph to the file.
     *
     * @return true if foreign edits changed the live memory
     */
    boolean step() {
        boolean[] imported = {false};
        long[] version = {0};
        MemoryGraph written = engine.edit(current -> {
            long before = memory.version();
            importChanges(base, current);
            imported[0] = memory.version() != before;
            version[0] = memory.version();
            return memory.readGraph();
        });
        exportedVersion = version[0];
        fileStamp = fileStamp();
        base = written;
        try {
            PrivateFiles.replace(baseFile, MemoryFileCodec.write(written, false));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot keep the exported graph in " + baseFile, e);
        }
        return imported[0];
    }

    /** Applies the change from {@code before} to {@code after} (another writer's) to the live memory. */
    private void importChanges(MemoryGraph before, MemoryGraph after) {
        if (before.equals(after)) {
            return;
        }
        Map<String, Entity> was = byName(before);
        Map<String, Entity> now = byName(after);
        List<String> gone = new ArrayList<>();
        List<Entity> created = new ArrayList<>();
        List<Observations> added = new ArrayList<>();
        List<Observations> removed = new ArrayList<>();
        for (Entity e : was.values()) {
            Entity n = now.get(e.name());
            if (n == null || !n.entityType().equals(e.entityType())) {
                gone.add(e.name()); // deleted, or retyped: deleted and created again
            }
        }
        for (Entity n : now.values()) {
            Entity e = was.get(n.name());
            if (e == null || !n.entityType().equals(e.entityType())) {
                created.add(n);
                added.add(new Observations(n.name(), n.observations())); // if it existed live already
            } else {
                added.add(new Observations(n.name(), minus(n.observations(), e.observations())));
                removed.add(new Observations(n.name(), minus(e.observations(), n.observations())));
            }
        }
        Set<Relation> relationsNow = new LinkedHashSet<>(after.relations());
        List<Relation> relationsGone = new ArrayList<>();
        for (Relation r : before.relations()) {
            if (!relationsNow.contains(r)) {
                relationsGone.add(r);
            }
        }
        Set<Relation> relationsWere = new HashSet<>(before.relations());
        Set<String> retyped = new HashSet<>(gone);
        List<Relation> relationsNew = new ArrayList<>();
        for (Relation r : after.relations()) {
            if (!relationsWere.contains(r) || retyped.contains(r.from()) || retyped.contains(r.to())) {
                relationsNew.add(r);
            }
        }
        apply(gone, created, added, removed, relationsGone, relationsNew);
    }

    private void apply(List<String> gone, List<Entity> created, List<Observations> added,
            List<Observations> removed, List<Relation> relationsGone, List<Relation> relationsNew) {
        if (!gone.isEmpty()) {
            memory.deleteEntities(gone);
        }
        if (!relationsGone.isEmpty()) {
            memory.deleteRelations(relationsGone);
        }
        removed.removeIf(o -> o.observations().isEmpty());
        if (!removed.isEmpty()) {
            memory.deleteObservations(removed);
        }
        if (!created.isEmpty()) {
            memory.createEntities(created);
        }
        Set<String> live = byName(memory.readGraph()).keySet(); // an entity deleted here meanwhile stays deleted
        added.removeIf(o -> o.observations().isEmpty() || !live.contains(o.entityName()));
        if (!added.isEmpty()) {
            memory.addObservations(added);
        }
        if (!relationsNew.isEmpty()) {
            memory.createRelations(relationsNew);
        }
    }

    private static List<String> minus(List<String> a, List<String> b) {
        Set<String> drop = new HashSet<>(b);
        List<String> out = new ArrayList<>();
        for (String s : a) {
            if (!drop.contains(s)) {
                out.add(s);
            }
        }
        return out;
    }

    private static Map<String, Entity> byName(MemoryGraph g) {
        Map<String, Entity> out = new LinkedHashMap<>();
        g.entities().forEach(e -> out.put(e.name(), e));
        return out;
    }

    /** What identifies the file's content cheaply: its inode, size and modification time. */
    private Object fileStamp() {
        try {
            BasicFileAttributes a = Files.readAttributes(engine.settings().memoryFile(), BasicFileAttributes.class);
            return List.of(String.valueOf(a.fileKey()), a.size(), a.lastModifiedTime().toMillis());
        } catch (NoSuchFileException e) {
            return List.of();
        } catch (IOException e) {
            return List.of(e.toString());
        }
    }
}
