/*
 * Copyright The crdt-memory authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.crdtmemory.git;

import io.github.crdtmemory.core.LwwMap;
import io.github.crdtmemory.core.ReplicaId;
import io.github.crdtmemory.memory.AtomKey;
import io.github.crdtmemory.memory.MemoryState;
import io.github.crdtmemory.memory.StateCodec;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * The layout of a replica's state in its commit's tree, by format version. Pure: no git here.
 *
 * <ul>
 *   <li>Version 1 (read only): one file, {@code <id>.state}, the whole state in {@link StateCodec}'s
 *       canonical form.</li>
 *   <li>Version 2 (written): a file {@code format} ({@link #formatFile}: version, replica, shards) and one file
 *       {@code shard-xx} ({@code xx} two lower-case hex digits, {@code 00} to {@code 3f}) per non-empty
 *       shard, each the {@link StateCodec} canonical form of the atoms whose entity name falls into that
 *       shard ({@link #shardOf}). So an edit rewrites one small blob, not the whole state, and equal
 *       states give equal trees.</li>
 * </ul>
 * A tree whose {@code format} names a version above {@link #VERSION} is quarantined by readers (that
 * replica only) and refused ({@link GitOperationError.Kind#UNSUPPORTED_FORMAT}) by a writer publishing
 * over it.
 */
final class StateTree {
    /** The version this code writes. */
    static final int VERSION = 2;
    /** Shards of a version 2 tree. */
    static final int SHARDS = 64;
    /** The name of the version file in a version 2 tree. */
    static final String FORMAT_FILE = "format";

    private static final Pattern SHARD_NAME = Pattern.compile("shard-([0-9a-f]{2})");
    private static final Pattern FORMAT_LINE = Pattern.compile(
            "\\{\"format\":\"crdt-memory-replica\",\"version\":(\\d{1,9})(,[^\\n]*)?}\\n?");
    private static final Pattern REPLICA_FIELD = Pattern.compile(",\"replica\":\"([a-z0-9._-]{1,64})\"");

    private StateTree() {
    }

    /**
     * The shard of an atom: the low six bits of {@code h ^ (h >>> 16)}, where {@code h} is Java's
     * {@code String.hashCode} of the atom's entity name (a relation's {@code from}); so an entity, its
     * observations and its outgoing relations share a shard.
     */
    static int shardOf(AtomKey key) {
        return shardOfName(key.entity());
    }

    /** The shard of an entity name (see {@link #shardOf}); the unified view's files use it too. */
    static int shardOfName(String entity) {
        int h = entity.hashCode();
        return (h ^ (h >>> 16)) & (SHARDS - 1);
    }

    static String shardName(int shard) {
        return "shard-" + HexFormat.of().toHexDigits((byte) shard);
    }

    /** The shard a file name names, or -1 if it names none. */
    static int shardIndex(String name) {
        Matcher m = SHARD_NAME.matcher(name);
        if (!m.matches()) {
            return -1;
        }
        int i = Integer.parseInt(m.group(1), 16);
        return i < SHARDS ? i : -1;
    }

    /**
     * The exact bytes of the {@code format} file of replica {@code id}'s version 2 tree:
     * {@code {"format":"crdt-memory-replica","version":2,"replica":"<id>","shards":64}} and a newline.
     */
    static byte[] formatFile(ReplicaId id) {
        return ("{\"format\":\"crdt-memory-replica\",\"version\":" + VERSION + ",\"replica\":\"" + id.value()
                + "\",\"shards\":" + SHARDS + "}\n").getBytes(StandardCharsets.UTF_8);
    }

    /** The git (SHA-1) blob id of {@link #formatFile}: a tree holding it needs no read to know its version. */
    static String formatBlob(ReplicaId id) {
        return blobId(formatFile(id));
    }

    /** The replica a format file names, or null. */
    static @Nullable String replicaOf(byte[] formatFile) {
        Matcher m = REPLICA_FIELD.matcher(new String(formatFile, StandardCharsets.UTF_8));
        return m.find() ? m.group(1) : null;
    }

    /** The files of replica {@code id}'s version 2 tree of {@code state}, by name in git's tree order. */
    static Map<String, byte[]> encode(ReplicaId id, MemoryState state) {
        Map<String, byte[]> files = new TreeMap<>();
        encodeEach(id, state, files::put);
        return files;
    }

    /**
     * Hands the files of replica {@code id}'s version 2 tree of {@code state} to {@code each}, one at a
     * time in git's tree order, each shard encoded just before it is handed over: a caller that keeps
     * only what it needs of each never holds the whole encoded state.
     */
    static void encodeEach(ReplicaId id, MemoryState state, java.util.function.BiConsumer<String, byte[]> each) {
        List<LwwMap.Builder<AtomKey>> shards = new ArrayList<>(SHARDS);
        for (int i = 0; i < SHARDS; i++) {
            shards.add(null);
        }
        LwwMap<AtomKey> atoms = state.atoms();
        for (LwwMap.Cursor<AtomKey> c = atoms.cursor(); c.hasEntry(); c.advance()) {
            AtomKey key = c.key();
            int s = shardOf(key);
            if (shards.get(s) == null) {
                shards.set(s, LwwMap.builder());
            }
            shards.get(s).put(key, c.register());
        }
        each.accept(FORMAT_FILE, formatFile(id));
        for (int i = 0; i < SHARDS; i++) {
            if (shards.get(i) != null) {
                each.accept(shardName(i), StateCodec.encode(MemoryState.of(shards.get(i).build())));
                shards.set(i, null);
            }
        }
    }

    /**
     * The version a {@code format} file names.
     *
     * @return the version, or -1 if the file is not a format file at all
     */
    static int versionOf(byte[] formatFile) {
        if (formatFile.length > 4096) {
            return -1;
        }
        Matcher m = FORMAT_LINE.matcher(new String(formatFile, StandardCharsets.UTF_8));
        return m.matches() ? Integer.parseInt(m.group(1)) : -1;
    }

    /**
     * The id of replica {@code id}'s version 2 tree of {@code state}: what {@code main}'s manifest names
     * as the state's checksum (a hash of its shards' hashes, so equal states, equal ids).
     */
    static String treeId(ReplicaId id, MemoryState state) {
        Map<String, String> blobs = new TreeMap<>();
        encodeEach(id, state, (name, bytes) -> blobs.put(name, blobId(bytes)));
        return treeId(blobs);
    }

    /** The id of the tree of files (mode {@code 100644}) by name to blob id. */
    static String treeId(Map<String, String> blobs) {
        return MainTree.treeId(MainTree.treeOfBlobs(blobs));
    }

    /** The git (SHA-1) blob id of {@code content}. */
    static String blobId(byte[] content) {
        try {
            MessageDigest sha1 = MessageDigest.getInstance("SHA-1");
            sha1.update(("blob " + content.length + "\0").getBytes(StandardCharsets.US_ASCII));
            return HexFormat.of().formatHex(sha1.digest(content));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-1 is a required JDK algorithm", e);
        }
    }
}
