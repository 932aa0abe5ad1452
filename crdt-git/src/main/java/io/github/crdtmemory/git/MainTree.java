/*
 * Copyright The crdt-memory authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.crdtmemory.git;

import io.github.crdtmemory.memory.Entity;
import io.github.crdtmemory.memory.MemoryFileCodec;
import io.github.crdtmemory.memory.MemoryGraph;
import io.github.crdtmemory.memory.Relation;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * The layout of the unified view on {@code main}, by version. Pure: no git here.
 *
 * <ul>
 *   <li>Layout 1 (read only, written before): {@code memory.jsonl}, the whole merged view as the MCP
 *       server writes it, and {@code manifest.json}.</li>
 *   <li>Layout 2 (written): {@code manifest.json} and a directory {@code memory/} holding one file
 *       {@code shard-xx.jsonl} per non-empty shard ({@link StateTree#shardOfName}, the replica states'
 *       shard function): the entities of that shard and the relations whose {@code from} is in it, in
 *       the view's order, MCP memory-file lines each ending with a newline. Their concatenation in name
 *       order ({@code LC_ALL=C cat memory/*.jsonl}) is a valid MCP memory file with the view's content
 *       (the MCP server reads lines in any order). So an edit rewrites one small view file, and an
 *       unchanged view file keeps its blob.</li>
 * </ul>
 */
final class MainTree {
    /** The directory of view files in layout 2. */
    static final String MEMORY_DIR = "memory";
    /** The whole view's file in layout 1. */
    static final String MEMORY_FILE = "memory.jsonl";
    static final String MANIFEST = "manifest.json";
    /** The layout this code writes. */
    static final int LAYOUT = 2;

    private static final Pattern VIEW_FILE = Pattern.compile("shard-[0-9a-f]{2}\\.jsonl");

    private MainTree() {
    }

    /** Whether {@code name} is a view file name of layout 2 ({@code shard-xx.jsonl}). */
    static boolean isViewFile(String name) {
        return VIEW_FILE.matcher(name).matches() && StateTree.shardIndex(name.substring(0, 8)) >= 0;
    }

    /** The files of {@code memory/} for {@code view}, by name in git's (and C locale's) order. */
    static Map<String, byte[]> viewFiles(MemoryGraph view) {
        List<List<Entity>> entities = new ArrayList<>(StateTree.SHARDS);
        List<List<Relation>> relations = new ArrayList<>(StateTree.SHARDS);
        for (int i = 0; i < StateTree.SHARDS; i++) {
            entities.add(new ArrayList<>());
            relations.add(new ArrayList<>());
        }
        view.entities().forEach(e -> entities.get(StateTree.shardOfName(e.name())).add(e));
        view.relations().forEach(r -> relations.get(StateTree.shardOfName(r.from())).add(r));
        Map<String, byte[]> files = new TreeMap<>();
        for (int i = 0; i < StateTree.SHARDS; i++) {
            if (!entities.get(i).isEmpty() || !relations.get(i).isEmpty()) {
                files.put(StateTree.shardName(i) + ".jsonl",
                        MemoryFileCodec.write(MemoryGraph.of(entities.get(i), relations.get(i)), true));
            }
        }
        return files;
    }

    /** The concatenation of {@code files} in name order: the whole view as one MCP memory file. */
    static byte[] concatenate(Map<String, byte[]> files) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(files.values().stream().mapToInt(b -> b.length).sum());
        new TreeMap<>(files).values().forEach(out::writeBytes);
        return out.toByteArray();
    }

    /** The bytes {@code memory} holds in {@code layout} for {@code view}: what {@code verify} expects. */
    static byte[] memoryOf(MemoryGraph view, int layout) {
        return layout == 1 ? MemoryFileCodec.write(view, true) : concatenate(viewFiles(view));
    }

    /**
     * The raw git tree object of files (mode {@code 100644}) named {@code name} with blob id {@code id},
     * entries in git's order (byte order of the names; none is a directory).
     */
    static byte[] treeOfBlobs(Map<String, String> blobs) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        new TreeMap<>(blobs).forEach((name, id) -> {
            out.writeBytes(("100644 " + name).getBytes(StandardCharsets.UTF_8));
            out.write(0);
            out.writeBytes(HexFormat.of().parseHex(id));
        });
        return out.toByteArray();
    }

    /** The git (SHA-1) id of a tree object of {@code content}. */
    static String treeId(byte[] content) {
        try {
            MessageDigest sha1 = MessageDigest.getInstance("SHA-1");
            sha1.update(("tree " + content.length + "\0").getBytes(StandardCharsets.US_ASCII));
            return HexFormat.of().formatHex(sha1.digest(content));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-1 is a required JDK algorithm", e);
        }
    }
}
