/*
 * Copyright The crdt-memory authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.crdtmemory.core;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.BiConsumer;
import org.jspecify.annotations.Nullable;

/**
 * An immutable last-write-wins map: each key holds one {@link Register}, and {@link #join} keeps, per
 * key, the greater register under the register order. The join is commutative, associative and
 * idempotent, and the empty map is its identity, so replicas that have joined the same states hold
 * equal maps whatever the order or grouping of the joins.
 *
 * <p>This class is immutable; all methods are side-effect-free. Entries are kept sorted by key in two
 * parallel arrays, so iteration order is the key order (deterministic, independent of hashing), and a
 * join of two maps is one linear merge with no per-key allocation. Joining many maps is one pass over
 * the union of their keys.
 *
 * @param <K> the key type; its natural order must be a total order consistent with {@code equals}
 */
public final class LwwMap<K extends Comparable<? super K>> {
    private static final Object[] NO_KEYS = new Object[0];
    private static final Register[] NO_REGISTERS = new Register[0];
    @SuppressWarnings("rawtypes")
    private static final LwwMap EMPTY = new LwwMap<>(NO_KEYS, NO_REGISTERS, 0);

    private final Object[] keys;
    private final Register[] registers;
    private final int size;
    private int hash;

    private LwwMap(Object[] keys, Register[] registers, int size) {
        this.keys = keys;
        this.registers = registers;
        this.size = size;
    }

    /**
     * Returns the empty map, the identity of {@link #join}.
     *
     * @param <K> the key type
     * @return the empty map
     */
    @SuppressWarnings("unchecked")
    public static <K extends Comparable<? super K>> LwwMap<K> empty() {
        return (LwwMap<K>) EMPTY;
    }

    /**
     * Returns a builder that collects entries in any order; duplicate keys are joined.
     *
     * @param <K> the key type
     * @return a new builder
     */
    public static <K extends Comparable<? super K>> Builder<K> builder() {
        return new Builder<>();
    }

    /**
     * Returns the number of keys.
     *
     * @return the size
     */
    public int size() {
        return size;
    }

    /**
     * Tells whether the map has no keys.
     *
     * @return true if empty
     */
    public boolean isEmpty() {
        return size == 0;
    }

    /**
     * Returns a cursor at the first entry (past the end if the map is empty).
     *
     * @return a new cursor
     */
    public Cursor<K> cursor() {
        return new Cursor<>(this, 0);
    }

    /**
     * Returns a cursor at {@code key}, or at the first entry after it if the map does not hold it (past
     * the end if there is none).
     *
     * @param key the key to seek
     * @return a new cursor
     * @throws NullPointerException if {@code key} is null
     */
    public Cursor<K> cursorAt(K key) {
        int i = indexOf(key);
        return new Cursor<>(this, i >= 0 ? i : -(i + 1));
    }

    /**
     * Returns the register of {@code key}, if the map holds it.
     *
     * @param key the key
     * @return the register, or empty
     * @throws NullPointerException if {@code key} is null
     */
    public Optional<Register> get(K key) {
        int i = indexOf(key);
        return i >= 0 ? Optional.of(registers[i]) : Optional.empty();
    }

    /** The index of {@code key}, or {@code -(insertion point) - 1} if absent, as binary search gives. */
    @SuppressWarnings("unchecked")
    private int indexOf(K key) {
        Objects.requireNonNull(key, "key");
        int lo = 0;
        int hi = size - 1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            int c = ((K) keys[mid]).compareTo(key);
            if (c < 0) {
                lo = mid + 1;
            } else if (c > 0) {
                hi = mid - 1;
            } else {
                return mid;
            }
        }
        return -(lo + 1);
    }

    /**
     * Calls {@code action} for every entry, in key order.
     *
     * @param action the callback
     * @throws NullPointerException if {@code action} is null
     */
    @SuppressWarnings("unchecked")
    public void forEach(BiConsumer<? super K, ? super Register> action) {
        Objects.requireNonNull(action, "action");
        for (int i = 0; i < size; i++) {
            action.accept((K) keys[i], registers[i]);
        }
    }

    /**
     * Returns the greatest stamp of any register, if the map is not empty.
     *
     * @return the largest stamp, or empty
     */
    public Optional<Stamp> maxStamp() {
        Stamp max = null;
        for (int i = 0; i < size; i++) {
            Stamp s = registers[i].stamp();
            if (max == null || s.compareTo(max) > 0) {
                max = s;
            }
        }
        return Optional.ofNullable(max);
    }

    /**
     * Returns this map with {@code register} joined into {@code key}. Costs a copy of the map; use a
     * {@link Builder} or {@link #join} for bulk changes.
     *
     * @param key the key
     * @param register the register to join
     * @return the joined map (this map if nothing changed)
     * @throws NullPointerException if an argument is null
     */
    public LwwMap<K> with(K key, Register register) {
        Objects.requireNonNull(register, "register");
        int i = indexOf(key);
        if (i >= 0) {
            Register joined = Register.max(registers[i], register);
            if (joined == registers[i]) {
                return this;
            }
            Register[] regs = Arrays.copyOf(registers, size);
            regs[i] = joined;
            return new LwwMap<>(keys, regs, size);
        }
        int at = -(i + 1);
        Object[] ks = new Object[size + 1];
        Register[] regs = new Register[size + 1];
        System.arraycopy(keys, 0, ks, 0, at);
        System.arraycopy(registers, 0, regs, 0, at);
        ks[at] = key;
        regs[at] = register;
        System.arraycopy(keys, at, ks, at + 1, size - at);
        System.arraycopy(registers, at, regs, at + 1, size - at);
        return new LwwMap<>(ks, regs, size + 1);
    }

    /**
     * Returns the join of this map and {@code other}: the union of keys, each with the greater
     * register. Returns {@code this} or {@code other} itself when the join equals it.
     *
     * @param other the map to join
     * @return the join
     * @throws NullPointerException if {@code other} is null
     */
    @SuppressWarnings("unchecked")
    public LwwMap<K> join(LwwMap<K> other) {
        Objects.requireNonNull(other, "other");
        if (other == this || other.size == 0) {
            return this;
        }
        if (size == 0) {
            return other;
        }
        Object[] ka = keys;
        Object[] kb = other.keys;
        Register[] ra = registers;
        Register[] rb = other.registers;
        int na = size;
        int nb = other.size;
        Object[] ko = new Object[na + nb];
        Register[] ro = new Register[na + nb];
        boolean onlyA = true;
        boolean onlyB = true;
        int i = 0;
        int j = 0;
        int n = 0;
        while (i < na && j < nb) {
            Object x = ka[i];
            Object y = kb[j];
            int c = x == y ? 0 : ((K) x).compareTo((K) y);
            if (c < 0) {
                ko[n] = x;
                ro[n++] = ra[i++];
                onlyB = false;
            } else if (c > 0) {
                ko[n] = y;
                ro[n++] = rb[j++];
                onlyA = false;
            } else {
                Register p = ra[i++];
                Register q = rb[j++];
                Register r;
                if (p == q) {
                    r = p;
                } else {
                    int d = p.compareTo(q);
                    r = d >= 0 ? p : q;
                    if (d > 0) {
                        onlyB = false;
                    } else if (d < 0) {
                        onlyA = false;
                    }
                }
                ko[n] = x;
                ro[n++] = r;
            }
        }
        if (i < na) {
            onlyB = false;
            int rest = na - i;
            System.arraycopy(ka, i, ko, n, rest);
            System.arraycopy(ra, i, ro, n, rest);
            n += rest;
        }
        if (j < nb) {
            onlyA = false;
            int rest = nb - j;
            System.arraycopy(kb, j, ko, n, rest);
            System.arraycopy(rb, j, ro, n, rest);
            n += rest;
        }
        if (onlyA) {
            return this;
        }
        if (onlyB) {
            return other;
        }
        if (n < (na + nb) - (na + nb) / 4) {
            ko = Arrays.copyOf(ko, n);
            ro = Arrays.copyOf(ro, n);
        }
        return new LwwMap<>(ko, ro, n);
    }

    /**
     * Returns the join of all {@code maps}, in one pass over the union of their keys (a k-way merge).
     * The result does not depend on the order of {@code maps}.
     *
     * @param maps the maps to join, possibly none
     * @param <K> the key type
     * @return the join, the empty map for none
     * @throws NullPointerException if {@code maps} or an element is null
     */
    @SuppressWarnings({"unchecked", "rawtypes"}) // a generic array of the inputs, read only here
    public static <K extends Comparable<? super K>> LwwMap<K> joinAll(Collection<LwwMap<K>> maps) {
        List<LwwMap<K>> inputs = new ArrayList<>(maps.size());
        int total = 0;
        for (LwwMap<K> m : maps) {
            Objects.requireNonNull(m, "maps element");
            if (m.size > 0) {
                inputs.add(m);
                total += m.size;
            }
        }
        if (inputs.isEmpty()) {
            return empty();
        }
        if (inputs.size() == 1) {
            return inputs.get(0);
        }
        if (inputs.size() == 2) {
            return inputs.get(0).join(inputs.get(1));
        }
        int k = inputs.size();
        LwwMap<K>[] src = inputs.toArray(new LwwMap[0]);
        int[] pos = new int[k];
        int[] heap = new int[k];
        int heapSize = k;
        for (int h = 0; h < k; h++) {
            heap[h] = h;
        }
        for (int h = heapSize / 2 - 1; h >= 0; h--) {
            siftDown(heap, heapSize, h, src, pos);
        }
        Object[] ko = new Object[total];
        Register[] ro = new Register[total];
        int n = 0;
        while (heapSize > 0) {
            int top = heap[0];
            K key = (K) src[top].keys[pos[top]];
            Register best = src[top].registers[pos[top]];
            heapSize = advance(heap, heapSize, src, pos);
            while (heapSize > 0) {
                int t = heap[0];
                Object other = src[t].keys[pos[t]];
                if (other != key && ((K) other).compareTo(key) != 0) {
                    break;
                }
                best = Register.max(best, src[t].registers[pos[t]]);
                heapSize = advance(heap, heapSize, src, pos);
            }
            ko[n] = key;
            ro[n++] = best;
        }
        if (n < total - total / 4) {
            ko = Arrays.copyOf(ko, n);
            ro = Arrays.copyOf(ro, n);
        }
        return new LwwMap<>(ko, ro, n);
    }

    /** Moves the cursor of the heap's top map on; drops the map from the heap when exhausted. */
    private static <K extends Comparable<? super K>> int advance(
            int[] heap, int heapSize, LwwMap<K>[] src, int[] pos) {
        int top = heap[0];
        pos[top]++;
        if (pos[top] == src[top].size) {
            heap[0] = heap[--heapSize];
        }
        if (heapSize > 0) {
            siftDown(heap, heapSize, 0, src, pos);
        }
        return heapSize;
    }

    @SuppressWarnings("unchecked")
    private static <K extends Comparable<? super K>> void siftDown(
            int[] heap, int heapSize, int at, LwwMap<K>[] src, int[] pos) {
        int item = heap[at];
        K itemKey = (K) src[item].keys[pos[item]];
        while (true) {
            int child = 2 * at + 1;
            if (child >= heapSize) {
                break;
            }
            int right = child + 1;
            K childKey = (K) src[heap[child]].keys[pos[heap[child]]];
            if (right < heapSize) {
                K rightKey = (K) src[heap[right]].keys[pos[heap[right]]];
                if (rightKey.compareTo(childKey) < 0) {
                    child = right;
                    childKey = rightKey;
                }
            }
            if (childKey.compareTo(itemKey) >= 0) {
                break;
            }
            heap[at] = heap[child];
            at = child;
        }
        heap[at] = item;
    }

    /**
     * Tells whether this map is below or equal to {@code other} in the lattice: every key of this map
     * is in {@code other} with a register at least as great. A join's result is above each input.
     *
     * @param other the map to compare with
     * @return true if {@code this.join(other)} equals {@code other}
     * @throws NullPointerException if {@code other} is null
     */
    @SuppressWarnings("unchecked")
    public boolean isCoveredBy(LwwMap<K> other) {
        Objects.requireNonNull(other, "other");
        int j = 0;
        for (int i = 0; i < size; i++) {
            K key = (K) keys[i];
            while (j < other.size && ((K) other.keys[j]).compareTo(key) < 0) {
                j++;
            }
            if (j == other.size || ((K) other.keys[j]).compareTo(key) != 0
                    || other.registers[j].compareTo(registers[i]) < 0) {
                return false;
            }
        }
        return true;
    }

    @Override
    public boolean equals(@Nullable Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof LwwMap<?> other) || other.size != size) {
            return false;
        }
        for (int i = 0; i < size; i++) {
            if (!keys[i].equals(other.keys[i]) || !registers[i].equals(other.registers[i])) {
                return false;
            }
        }
        return true;
    }

    @Override
    public int hashCode() {
        int h = hash;
        if (h == 0 && size > 0) {
            h = 1;
            for (int i = 0; i < size; i++) {
                h = 31 * h + keys[i].hashCode();
                h = 31 * h + registers[i].hashCode();
            }
            hash = h;
        }
        return h;
    }

    @Override
    public String toString() {
        StringBuilder out = new StringBuilder("LwwMap{");
        for (int i = 0; i < size; i++) {
            if (i > 0) {
                out.append(", ");
            }
            out.append(keys[i]).append('=').append(registers[i]);
        }
        return out.append('}').toString();
    }

    /**
     * A read position in a map's entries, in key order, for walks that {@link LwwMap#forEach} cannot
     * express (merging two maps, grouping runs of keys, stopping early). It hides how the map stores its
     * entries. The map is immutable, so a cursor never sees a change; a cursor itself is not thread-safe.
     *
     * @param <K> the key type
     */
    public static final class Cursor<K extends Comparable<? super K>> {
        private final LwwMap<K> map;
        private int at;

        private Cursor(LwwMap<K> map, int at) {
            this.map = map;
            this.at = at;
        }

        /**
         * Tells whether the cursor is at an entry (not past the end).
         *
         * @return true if {@link #key()} and {@link #register()} may be called
         */
        public boolean hasEntry() {
            return at < map.size;
        }

        /**
         * Returns the key of the current entry.
         *
         * @return the key
         * @throws java.util.NoSuchElementException if the cursor is past the end
         */
        @SuppressWarnings("unchecked")
        public K key() {
            check();
            return (K) map.keys[at];
        }

        /**
         * Returns the register of the current entry.
         *
         * @return the register
         * @throws java.util.NoSuchElementException if the cursor is past the end
         */
        public Register register() {
            check();
            return map.registers[at];
        }

        /**
         * Moves to the next entry in key order (or past the end).
         *
         * @throws java.util.NoSuchElementException if the cursor is already past the end
         */
        public void advance() {
            check();
            at++;
        }

        private void check() {
            if (at >= map.size) {
                throw new java.util.NoSuchElementException("past the last entry");
            }
        }
    }

    /**
     * Collects entries in any order and builds an {@link LwwMap}; a key added twice keeps the join
     * of its registers. Not thread-safe; a builder can be used once.
     *
     * @param <K> the key type
     */
    public static final class Builder<K extends Comparable<? super K>> {
        private Object[] keys = new Object[16];
        private Register[] registers = new Register[16];
        private int size;
        private boolean built;

        private Builder() {
        }

        /**
         * Adds an entry, joined with any earlier register of the same key.
         *
         * @param key the key
         * @param register the register
         * @return this builder
         * @throws NullPointerException if an argument is null
         * @throws IllegalStateException if {@link #build()} was called
         */
        public Builder<K> put(K key, Register register) {
            Objects.requireNonNull(key, "key");
            Objects.requireNonNull(register, "register");
            if (built) {
                throw new IllegalStateException("builder already used");
            }
            if (size == keys.length) {
                keys = Arrays.copyOf(keys, size * 2);
                registers = Arrays.copyOf(registers, size * 2);
            }
            keys[size] = key;
            registers[size++] = register;
            return this;
        }

        /**
         * Builds the map.
         *
         * @return the map
         * @throws IllegalStateException if called twice
         */
        @SuppressWarnings("unchecked")
        public LwwMap<K> build() {
            if (built) {
                throw new IllegalStateException("builder already used");
            }
            built = true;
            if (size == 0) {
                return empty();
            }
            boolean sorted = true;
            for (int i = 1; i < size && sorted; i++) {
                sorted = ((K) keys[i - 1]).compareTo((K) keys[i]) < 0;
            }
            if (sorted) { // the common case: decoded from a canonical file
                return new LwwMap<>(Arrays.copyOf(keys, size), Arrays.copyOf(registers, size), size);
            }
            Integer[] order = new Integer[size];
            for (int i = 0; i < size; i++) {
                order[i] = i;
            }
            Object[] ks = keys;
            Arrays.sort(order, (x, y) -> ((K) ks[x]).compareTo((K) ks[y]));
            Object[] ko = new Object[size];
            Register[] ro = new Register[size];
            int n = 0;
            for (int i = 0; i < size; i++) {
                int at = order[i];
                if (n > 0 && ((K) ko[n - 1]).compareTo((K) keys[at]) == 0) {
                    ro[n - 1] = Register.max(ro[n - 1], registers[at]);
                } else {
                    ko[n] = keys[at];
                    ro[n++] = registers[at];
                }
            }
            return new LwwMap<>(n == size ? ko : Arrays.copyOf(ko, n), n == size ? ro : Arrays.copyOf(ro, n), n);
        }
    }
}
