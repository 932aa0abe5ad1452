/*
 * Copyright The crdt-memory authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.crdtmemory.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.lists;

import io.github.crdtmemory.internal.CodePointOrder;
import io.github.crdtmemory.memory.AtomKey;
import io.github.crdtmemory.testkit.Generators;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.quicktheories.core.Gen;

/** The semilattice laws of {@link LwwMap#join} and the total order of {@link Register}. */
final class JoinLawsProperties {

    @Test
    void joinIsCommutative() {
        qt().forAll(Generators.maps(), Generators.maps())
                .checkAssert((a, b) -> assertThat(a.join(b)).isEqualTo(b.join(a)));
    }

    @Test
    void joinIsAssociative() {
        qt().forAll(Generators.maps(), Generators.maps(), Generators.maps())
                .checkAssert((a, b, c) -> assertThat(a.join(b.join(c))).isEqualTo(a.join(b).join(c)));
    }

    @Test
    void joinIsIdempotent() {
        qt().forAll(Generators.maps(), Generators.maps())
                .checkAssert((a, b) -> {
                    assertThat(a.join(a)).isEqualTo(a);
                    assertThat(a.join(b).join(b)).isEqualTo(a.join(b));
                });
    }

    @Test
    void emptyMapIsTheIdentity() {
        qt().forAll(Generators.maps())
                .checkAssert(a -> {
                    assertThat(a.join(LwwMap.empty())).isEqualTo(a);
                    assertThat(LwwMap.<AtomKey>empty().join(a)).isEqualTo(a);
                });
    }

    @Test
    void joinInflatesBothInputs() {
        qt().forAll(Generators.maps(), Generators.maps())
                .checkAssert((a, b) -> {
                    LwwMap<AtomKey> j = a.join(b);
                    assertThat(a.isCoveredBy(j)).isTrue();
                    assertThat(b.isCoveredBy(j)).isTrue();
                    assertThat(j.size()).isGreaterThanOrEqualTo(Math.max(a.size(), b.size()));
                });
    }

    @Test
    void joinKeepsTheGreatestRegisterOfEveryKey() {
        qt().forAll(Generators.maps(), Generators.maps())
                .checkAssert((a, b) -> {
                    LwwMap<AtomKey> j = a.join(b);
                    for (LwwMap.Cursor<AtomKey> c = j.cursor(); c.hasEntry(); c.advance()) {
                        AtomKey k = c.key();
                        Register expected = a.get(k).map(r -> b.get(k).map(q -> Register.max(r, q)).orElse(r))
                                .orElseGet(() -> b.get(k).orElseThrow());
                        assertThat(c.register()).isEqualTo(expected);
                    }
                });
    }

    @Test
    void joinAllEqualsAnyFoldInAnyOrder() {
        qt().forAll(Generators.replicaStates(), Generators.permutationSeeds())
                .checkAssert((states, seeds) -> {
                    List<LwwMap<AtomKey>> maps = new ArrayList<>();
                    states.forEach(s -> maps.add(s.atoms()));
                    LwwMap<AtomKey> all = LwwMap.joinAll(maps);
                    LwwMap<AtomKey> left = LwwMap.empty();
                    for (int i : Generators.permutation(maps.size(), seeds)) {
                        left = left.join(maps.get(i));
                    }
                    assertThat(left).isEqualTo(all);
                    assertThat(groupedJoin(maps, Generators.permutation(maps.size(), seeds), seeds)).isEqualTo(all);
                    List<LwwMap<AtomKey>> shuffled = new ArrayList<>();
                    Generators.permutation(maps.size(), seeds.subList(1, seeds.size()))
                            .forEach(i -> shuffled.add(maps.get(i)));
                    assertThat(LwwMap.joinAll(shuffled)).isEqualTo(all);
                });
    }

    @Test
    void builderJoinsDuplicateKeysInAnyOrder() {
        Gen<List<Map.Entry<AtomKey, Register>>> entries = lists().of(Generators.keys().zip(Generators.registers(),
                Map::entry)).ofSizeBetween(0, 24);
        qt().forAll(entries, Generators.permutationSeeds())
                .checkAssert((list, seeds) -> {
                    LwwMap<AtomKey> folded = LwwMap.empty();
                    for (Map.Entry<AtomKey, Register> e : list) {
                        folded = folded.with(e.getKey(), e.getValue());
                    }
                    List<Map.Entry<AtomKey, Register>> reversed = new ArrayList<>(list);
                    Collections.reverse(reversed);
                    List<Map.Entry<AtomKey, Register>> shuffled = new ArrayList<>();
                    Generators.permutation(list.size(), seeds).forEach(i -> shuffled.add(list.get(i)));
                    for (List<Map.Entry<AtomKey, Register>> order : List.of(list, reversed, shuffled)) {
                        LwwMap.Builder<AtomKey> b = LwwMap.builder();
                        order.forEach(e -> b.put(e.getKey(), e.getValue()));
                        assertThat(b.build()).as(order.toString()).isEqualTo(folded);
                    }
                });
    }

    /** Joins in a random binary tree: any grouping, any order. */
    private static LwwMap<AtomKey> groupedJoin(List<LwwMap<AtomKey>> maps, List<Integer> order, List<Integer> seeds) {
        List<LwwMap<AtomKey>> work = new ArrayList<>();
        order.forEach(i -> work.add(maps.get(i)));
        int step = 0;
        while (work.size() > 1) {
            int at = seeds.get(step++ % seeds.size()) % (work.size() - 1);
            LwwMap<AtomKey> joined = work.get(at).join(work.get(at + 1));
            work.set(at, joined);
            work.remove(at + 1);
        }
        return work.isEmpty() ? LwwMap.empty() : work.get(0);
    }

    @Test
    void registerOrderIsTotalAndConsistentWithEquals() {
        qt().forAll(Generators.registers(), Generators.registers(), Generators.registers())
                .checkAssert((a, b, c) -> {
                    assertThat(Integer.signum(a.compareTo(b))).isEqualTo(-Integer.signum(b.compareTo(a)));
                    assertThat(a.compareTo(b) == 0).isEqualTo(a.equals(b));
                    if (a.compareTo(b) <= 0 && b.compareTo(c) <= 0) {
                        assertThat(a.compareTo(c)).isLessThanOrEqualTo(0);
                    }
                });
    }

    @Test
    void codePointOrderMatchesUtf8ByteOrder() {
        qt().forAll(Generators.anyText(), Generators.anyText())
                .assuming((a, b) -> !hasLoneSurrogate(a) && !hasLoneSurrogate(b))
                .checkAssert((a, b) -> assertThat(Integer.signum(CodePointOrder.compare(a, b)))
                        .isEqualTo(Integer.signum(java.util.Arrays.compareUnsigned(
                                a.getBytes(java.nio.charset.StandardCharsets.UTF_8),
                                b.getBytes(java.nio.charset.StandardCharsets.UTF_8)))));
    }

    private static boolean hasLoneSurrogate(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                return true;
            }
        }
        return false;
    }
}
