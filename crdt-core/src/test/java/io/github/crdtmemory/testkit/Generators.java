/*
 * Copyright The crdt-memory authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.crdtmemory.testkit;

import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;
import static org.quicktheories.generators.SourceDSL.strings;

import io.github.crdtmemory.core.LwwMap;
import io.github.crdtmemory.core.Register;
import io.github.crdtmemory.core.ReplicaId;
import io.github.crdtmemory.core.Stamp;
import io.github.crdtmemory.memory.AtomKey;
import io.github.crdtmemory.memory.Entity;
import io.github.crdtmemory.memory.MemoryGraph;
import io.github.crdtmemory.memory.MemoryState;
import io.github.crdtmemory.memory.Relation;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import org.quicktheories.core.Gen;
import org.quicktheories.generators.Generate;

/**
 * Every QuickTheories generator of the project, in one place. Generation depends on the seed only.
 *
 * <p>The generators aim at the hard cases on purpose: few replicas and a narrow time range, so equal
 * stamps and equal {@code (wall, counter)} on different replicas are common; tombstones; a small pool
 * of names, so keys collide; and names that are empty, very long, emoji, combining marks, right-to-left
 * text, quotes, backslashes, newlines, control characters, and characters on both sides of the
 * UTF-16 versus code-point ordering trap (U+E000..U+FFFF versus supplementary characters).
 */
public final class Generators {
    /** Strings that have broken JSON codecs and orderings before. */
    public static final List<String> HARD_STRINGS = List.of(
            "",
            "Ada",
            "ada",
            "A",
            "😀",
            "e\u0301",
            "\u00e9",
            "שלום עולם",
            "مرحبا",
            "say \"hi\"",
            "back\\slash",
            "line\nbreak",
            "tab\tand\r\ncrlf",
            "\u0000nul\u001f",
            "\u2028\u2029",
            "\uE000private",
            "\uFFFD",
            "\uD83D\uDE00 smile",
            "</script>",
            "x".repeat(3000));

    private Generators() {
    }

    /** Returns short latin strings over a tiny alphabet mixed with {@link #HARD_STRINGS}. */
    public static Gen<String> names() {
        Gen<String> small = strings().betweenCodePoints('a', 'c').ofLengthBetween(0, 2);
        return Generate.frequency(
                org.quicktheories.api.Pair.of(3, small),
                org.quicktheories.api.Pair.of(2, Generate.pick(HARD_STRINGS)));
    }

    /** Returns arbitrary strings over the whole Unicode range (lone surrogates included). */
    public static Gen<String> anyText() {
        return strings().allPossible().ofLengthBetween(0, 12)
                .mix(Generate.pick(HARD_STRINGS), 30);
    }

    /** Returns one of three replicas, so ties between them are frequent. */
    public static Gen<ReplicaId> replicas() {
        return Generate.pick(List.of(ReplicaId.of("a"), ReplicaId.of("b"), ReplicaId.of("c")));
    }

    /** Returns stamps in a narrow range: equal stamps and equal hybrid times are frequent. */
    public static Gen<Stamp> stamps() {
        return Generate.longRange(0, 3).zip(Generate.range(0, 2), replicas(),
                (w, c, r) -> new Stamp(w, c, r));
    }

    /** Returns live registers and tombstones with small values (equal stamps, different values). */
    public static Gen<Register> registers() {
        return stamps().zip(Generate.booleans(), Generate.pick(List.of("", "person", "org", "😀", "\uE000")),
                (s, live, v) -> new Register(s, live, v));
    }

    /** Returns keys of all three kinds over a small pool of names. */
    public static Gen<AtomKey> keys() {
        Gen<String> pool = Generate.pick(List.of("", "a", "b", "😀", "\uE000", "e\u0301"));
        Gen<AtomKey> entity = pool.map(AtomKey.EntityKey::new);
        Gen<AtomKey> observation = pool.zip(pool, AtomKey.ObservationKey::new);
        Gen<AtomKey> relation = pool.zip(pool, pool, AtomKey.RelationKey::new);
        return Generate.oneOf(entity, observation, relation);
    }

    /** Returns LWW maps of 0 to 24 entries; duplicate keys in the input are joined. */
    public static Gen<LwwMap<AtomKey>> maps() {
        return lists().of(keys().zip(registers(), Map::entry)).ofSizeBetween(0, 24).map(entries -> {
            LwwMap.Builder<AtomKey> b = LwwMap.builder();
            entries.forEach(e -> b.put(e.getKey(), e.getValue()));
            return b.build();
        });
    }

    /** Returns states of 0 to 24 atoms. */
    public static Gen<MemoryState> states() {
        return maps().map(MemoryState::of);
    }

    /** Returns lists of 2 to 8 states. */
    public static Gen<List<MemoryState>> replicaStates() {
        return lists().of(states()).ofSizeBetween(2, 8);
    }

    /** Returns a permutation of {@code 0..n-1} drawn from the seed (for join orders). */
    public static Gen<List<Integer>> permutationSeeds() {
        return lists().of(integers().between(0, 1_000_000)).ofSize(8);
    }

    /**
     * Returns graphs of up to 6 entities (each up to 4 observations) and up to 6 relations, names and
     * texts drawn from {@link #names()}; duplicates are dropped so the graph is valid.
     */
    public static Gen<MemoryGraph> graphs() {
        Gen<Entity> entity = names().zip(Generate.pick(List.of("person", "org", "", "😀 type")),
                lists().of(names()).ofSizeBetween(0, 4),
                (n, t, obs) -> new Entity(n, t, new ArrayList<>(new LinkedHashSet<>(obs))));
        Gen<Relation> relation = names().zip(Generate.pick(List.of("knows", "works_at", "")), names(),
                Relation::new);
        return lists().of(entity).ofSizeBetween(0, 6).zip(lists().of(relation).ofSizeBetween(0, 6), (es, rs) -> {
            Map<String, Entity> byName = new LinkedHashMap<>();
            es.forEach(e -> byName.putIfAbsent(e.name(), e));
            return MemoryGraph.of(new ArrayList<>(byName.values()), new ArrayList<>(new LinkedHashSet<>(rs)));
        });
    }

    /** Returns a permutation of {@code 0..n-1} from the seed values. */
    public static List<Integer> permutation(int n, List<Integer> seeds) {
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            order.add(i);
        }
        for (int i = n - 1; i > 0; i--) {
            int j = seeds.get(i % seeds.size()) % (i + 1);
            Integer t = order.get(i);
            order.set(i, order.get(j));
            order.set(j, t);
        }
        return order;
    }
}
