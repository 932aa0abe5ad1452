/*
 * Copyright The crdt-memory authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.crdtmemory.memory;

import io.github.crdtmemory.core.Clock;
import io.github.crdtmemory.internal.CodePointOrder;
import io.github.crdtmemory.core.LwwMap;
import io.github.crdtmemory.core.Register;
import io.github.crdtmemory.core.Stamp;
import io.github.crdtmemory.memory.AtomKey.EntityKey;
import io.github.crdtmemory.memory.AtomKey.ObservationKey;
import io.github.crdtmemory.memory.AtomKey.RelationKey;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The CRDT form of a memory graph: one {@link LwwMap} from {@link AtomKey} to {@link Register}.
 *
 * <p>The unit of merge is the atom, not the entity: two replicas that add different observations to
 * one entity both keep them, and a deletion is a stamped tombstone, never an absence.
 *
 * <p>{@link #view()} derives the graph a user sees; it is a pure function of the map, so it does not
 * depend on the order in which states were joined:
 * <ul>
 *   <li>an entity is visible if its register is live, or if it is a tombstone and some live
 *       observation of the entity is stamped after it: an edit made concurrently with, and later
 *       than, the deletion revives the entity, with the type the tombstone kept;</li>
 *   <li>an observation is visible if it is live and its entity is visible; under a revived entity,
 *       only observations stamped after the deletion are (older ones were deleted with it);</li>
 *   <li>a relation is visible if it is live and neither endpoint's entity register is a tombstone
 *       stamped after the relation (the cascade of a deletion, computed when reading); relations to
 *       names that are no entity at all stay visible, as the MCP server allows.</li>
 * </ul>
 * These are the rules a replay of every write in stamp order would give, except that an entity whose
 * register is live again shows every live observation: re-creating an entity through {@link #diff}
 * therefore deletes the observations and relations its earlier deletion hid.
 * The view lists entities by the stamp of their register, then name; observations and relations by
 * stamp, then key. New atoms are stamped in file order, so a file's order survives a round trip.
 *
 * <p>This class is immutable; all methods are side-effect-free.
 */
public final class MemoryState {
    private static final MemoryState EMPTY = new MemoryState(LwwMap.empty());

    private final LwwMap<AtomKey> atoms;
    private volatile @Nullable MemoryGraph view;
    @SuppressWarnings("NullableOptional") // null: not computed yet; maxStamp() never returns null
    private volatile @Nullable Optional<Stamp> maxStamp; // computed once, like the view

    private MemoryState(LwwMap<AtomKey> atoms) {
        this.atoms = atoms;
    }

    /**
     * Returns the state with no atoms, the identity of {@link #join}.
     *
     * @return the empty state
     */
    public static MemoryState empty() {
        return EMPTY;
    }

    /**
     * Returns the state holding {@code atoms}.
     *
     * @param atoms the registers
     * @return the state
     * @throws NullPointerException if {@code atoms} is null
     */
    public static MemoryState of(LwwMap<AtomKey> atoms) {
        Objects.requireNonNull(atoms, "atoms");
        return atoms.isEmpty() ? EMPTY : new MemoryState(atoms);
    }

    /**
     * Returns a state whose view is {@code graph}, every atom stamped by {@code clock} in order.
     *
     * @param graph the graph
     * @param clock the clock that stamps the atoms
     * @return the state
     * @throws NullPointerException if an argument is null
     */
    public static MemoryState fromGraph(MemoryGraph graph, Clock clock) {
        return EMPTY.diff(MemoryGraph.empty(), graph, clock);
    }

    /**
     * Returns the registers.
     *
     * @return the map of atoms
     */
    public LwwMap<AtomKey> atoms() {
        return atoms;
    }

    /**
     * Returns the number of registers, live and tombstoned.
     *
     * @return the size
     */
    public int size() {
        return atoms.size();
    }

    /**
     * Returns the greatest stamp in the state, if any: what a clock must observe after a merge.
     *
     * @return the largest stamp, or empty
     */
    public Optional<Stamp> maxStamp() {
        Optional<Stamp> m = maxStamp;
        if (m == null) {
            m = atoms.maxStamp();
            maxStamp = m;
        }
        return m;
    }

    /**
     * Returns the join of this state and {@code other}: commutative, associative, idempotent.
     *
     * @param other the state to join
     * @return the join
     * @throws NullPointerException if {@code other} is null
     */
    public MemoryState join(MemoryState other) {
        Objects.requireNonNull(other, "other");
        LwwMap<AtomKey> joined = atoms.join(other.atoms);
        if (joined == atoms) {
            return this;
        }
        if (joined == other.atoms) {
            return other;
        }
        MemoryState out = new MemoryState(joined);
        Optional<Stamp> mine = maxStamp;
        if (mine != null) {
            // the greatest register of either input wins its key, so the join's largest stamp is theirs
            Optional<Stamp> theirs = other.maxStamp();
            out.maxStamp = mine.isEmpty() ? theirs : theirs.isEmpty() ? mine
                    : Optional.of(mine.get().compareTo(theirs.get()) >= 0 ? mine.get() : theirs.get());
        }
        return out;
    }

    /**
     * Returns the join of all {@code states} in one pass over the union of their atoms.
     *
     * @param states the states
     * @return the join; the empty state for none
     * @throws NullPointerException if {@code states} or an element is null
     */
    public static MemoryState joinAll(Collection<MemoryState> states) {
        List<LwwMap<AtomKey>> maps = new ArrayList<>(states.size());
        for (MemoryState s : states) {
            maps.add(Objects.requireNonNull(s, "states element").atoms);
        }
        return of(LwwMap.joinAll(maps));
    }

    /**
     * Counts registers by kind.
     *
     * @return the counts
     */
    public AtomCounts counts() {
        int entities = 0;
        int observations = 0;
        int relations = 0;
        int tombstones = 0;
        for (LwwMap.Cursor<AtomKey> c = atoms.cursor(); c.hasEntry(); c.advance()) {
            if (!c.register().live()) {
                tombstones++;
                continue;
            }
            switch (c.key().rank()) {
                case 0 -> entities++;
                case 1 -> observations++;
                default -> relations++;
            }
        }
        return new AtomCounts(entities, observations, relations, tombstones);
    }

    /**
     * Returns the graph a user sees, by the rules in the class description. Computed once.
     *
     * @return the view
     */
    public MemoryGraph view() {
        MemoryGraph v = view;
        if (v == null) {
            v = computeView();
            view = v;
        }
        return v;
    }

    private record Stamped<T>(Stamp stamp, T value) {
    }

    private MemoryGraph computeView() {
        if (atoms.isEmpty()) {
            return MemoryGraph.empty();
        }
        Map<String, Register> tombstones = new HashMap<>();
        List<Stamped<Entity>> entities = new ArrayList<>();
        List<Stamped<RelationKey>> relations = new ArrayList<>();
        LwwMap.Cursor<AtomKey> at = atoms.cursor();
        while (at.hasEntry()) {
            AtomKey first = at.key();
            String name = first.entity();
            Register entity = null;
            if (first instanceof EntityKey) {
                entity = at.register();
                at.advance();
            }
            List<Stamped<String>> observations = null;
            boolean revived = false;
            while (at.hasEntry() && at.key() instanceof ObservationKey o && o.entity().equals(name)) {
                Register r = at.register();
                at.advance();
                // Under a tombstone, only observations stamped after the deletion count: they revive
                // the entity; older ones were deleted with it.
                if (r.live() && entity != null && (entity.live() || r.stamp().compareTo(entity.stamp()) > 0)) {
                    if (observations == null) {
                        observations = new ArrayList<>();
                    }
                    observations.add(new Stamped<>(r.stamp(), o.text()));
                    revived |= !entity.live();
                }
            }
            while (at.hasEntry() && at.key() instanceof RelationKey rk && rk.from().equals(name)) {
                Register r = at.register();
                at.advance();
                if (r.live()) {
                    relations.add(new Stamped<>(r.stamp(), rk));
                }
            }
            if (entity == null) {
                continue;
            }
            if (!entity.live()) {
                tombstones.put(name, entity);
            }
            if (entity.live() || revived) {
                List<String> texts = List.of();
                if (observations != null) {
                    observations.sort(MemoryState::byStampThenText);
                    String[] arr = new String[observations.size()];
                    for (int k = 0; k < arr.length; k++) {
                        arr[k] = observations.get(k).value();
                    }
                    texts = List.of(arr);
                }
                entities.add(new Stamped<>(entity.stamp(), new Entity(name, entity.value(), texts)));
            }
        }
        entities.sort((a, b) -> {
            int c = a.stamp().compareTo(b.stamp());
            return c != 0 ? c : CodePointOrder.compare(a.value().name(), b.value().name());
        });
        relations.sort((a, b) -> {
            int c = a.stamp().compareTo(b.stamp());
            return c != 0 ? c : a.value().compareTo(b.value());
        });
        List<Entity> es = new ArrayList<>(entities.size());
        for (Stamped<Entity> e : entities) {
            es.add(e.value());
        }
        List<Relation> rs = new ArrayList<>(relations.size());
        for (Stamped<RelationKey> r : relations) {
            if (!cascaded(tombstones, r.value().from(), r.stamp())
                    && !cascaded(tombstones, r.value().to(), r.stamp())) {
                rs.add(r.value().relation());
            }
        }
        return MemoryGraph.of(es, rs);
    }

    private static int byStampThenText(Stamped<String> a, Stamped<String> b) {
        int c = a.stamp().compareTo(b.stamp());
        return c != 0 ? c : CodePointOrder.compare(a.value(), b.value());
    }

    private static boolean cascaded(Map<String, Register> tombstones, String endpoint, Stamp relation) {
        Register tombstone = tombstones.get(endpoint);
        return tombstone != null && tombstone.stamp().compareTo(relation) > 0;
    }

    /**
     * Turns the change from {@code base} to {@code current} into new registers stamped by
     * {@code clock}, and returns them as a state (the delta); join it into this state to apply it.
     *
     * <p>{@code base} is the graph the memory file last agreed with, not this state's view: only what
     * differs between the two graphs is a local edit, so a remote addition this state holds but the
     * file never saw is never turned into a deletion. This state is consulted only to keep the result
     * exact: re-creating an entity whose register here is a tombstone, whether the view hides it or
     * shows it through a revival, also deletes the observations and relations that deletion hid (so an
     * old deletion's victims do not come back; what the view shows stays), and keeping an entity
     * that is visible only through a revival re-asserts it. Atoms the view shows are never deleted
     * unless {@code base} listed them.
     *
     * <p>For the delta to win, {@code clock} must already have observed this state's
     * {@link #maxStamp()}. Then {@code join(diff(view(), g, clock)).view()} has the content of
     * {@code g}. Atoms are stamped in the order of {@code current}: entities and their observations,
     * then relations.
     *
     * @param base the graph the file last agreed with
     * @param current the graph the file holds now
     * @param clock stamps the new registers
     * @return the delta; empty when the graphs have the same content
     * @throws NullPointerException if an argument is null
     */
    public MemoryState diff(MemoryGraph base, MemoryGraph current, Clock clock) {
        Objects.requireNonNull(base, "base");
        Objects.requireNonNull(current, "current");
        Objects.requireNonNull(clock, "clock");
        if (base == current) {
            return EMPTY;
        }
        LwwMap.Builder<AtomKey> out = LwwMap.builder();
        Set<String> recreated = new HashSet<>();
        int emitted = 0;
        for (Entity e : current.entities()) {
            Entity before = base.entity(e.name()).orElse(null);
            EntityKey key = new EntityKey(e.name());
            if (before == null) {
                out.put(key, Register.live(clock.tick(), e.entityType()));
                emitted++;
                if (recreatesOverDeletion(key)) {
                    recreated.add(e.name());
                }
                for (String o : e.observations()) {
                    out.put(new ObservationKey(e.name(), o), Register.live(clock.tick(), ""));
                    emitted++;
                }
                continue;
            }
            if (before == e || before.equals(e)) {
                continue; // same type and observations: nothing removed, so no revival to re-assert either
            }
            Set<String> had = new HashSet<>(before.observations());
            for (String o : e.observations()) {
                if (!had.contains(o)) {
                    out.put(new ObservationKey(e.name(), o), Register.live(clock.tick(), ""));
                    emitted++;
                }
            }
            Set<String> has = new HashSet<>(e.observations());
            boolean removedAny = false;
            for (String o : before.observations()) {
                if (!has.contains(o)) {
                    out.put(new ObservationKey(e.name(), o), Register.tombstone(clock.tick(), ""));
                    emitted++;
                    removedAny = true;
                }
            }
            boolean typeChanged = !before.entityType().equals(e.entityType());
            // An entity this state shows only through a revival is asserted live again when observations
            // are removed from it, so that removing the observations that revived it does not hide it.
            // An entity deleted remotely and left unchanged here is not touched: that deletion stands.
            boolean shownByRevival = removedAny
                    && atoms.get(key).map(Register::isTombstone).orElse(false)
                    && view().entity(e.name()).isPresent();
            if (typeChanged || shownByRevival) {
                out.put(key, Register.live(clock.tick(), e.entityType()));
                emitted++;
                if (atoms.get(key).map(Register::isTombstone).orElse(false)) {
                    recreated.add(e.name());
                }
            }
        }
        Set<String> deleted = new HashSet<>();
        for (Entity before : base.entities()) {
            if (current.entity(before.name()).isEmpty()) {
                deleted.add(before.name());
                out.put(new EntityKey(before.name()), Register.tombstone(clock.tick(), before.entityType()));
                emitted++;
                for (String o : before.observations()) {
                    out.put(new ObservationKey(before.name(), o), Register.tombstone(clock.tick(), ""));
                    emitted++;
                }
            }
        }
        if (!recreated.isEmpty()) {
            emitted += buryHidden(recreated, current, out, clock);
        }
        if (deleted.isEmpty() && base.relations().equals(current.relations())) {
            return emitted == 0 ? EMPTY : of(out.build()); // the same relations, none kept across a delete
        }
        Set<Relation> hadRelations = new HashSet<>(base.relations());
        for (Relation r : current.relations()) {
            boolean keptAcrossDelete = deleted.contains(r.from()) || deleted.contains(r.to());
            if (!hadRelations.contains(r) || keptAcrossDelete) {
                out.put(RelationKey.of(r), Register.live(clock.tick(), ""));
                emitted++;
            }
        }
        Set<Relation> hasRelations = new HashSet<>(current.relations());
        for (Relation r : base.relations()) {
            if (!hasRelations.contains(r)) {
                out.put(RelationKey.of(r), Register.tombstone(clock.tick(), ""));
                emitted++;
            }
        }
        return emitted == 0 ? EMPTY : of(out.build());
    }

    /**
     * Tells whether a new live register for {@code key}'s entity goes over an earlier deletion this state
     * holds: the entity's register is a tombstone, whether or not a revival shows the entity, or it has
     * no register but atoms of it exist (which the view then does not show).
     */
    private boolean recreatesOverDeletion(EntityKey key) {
        LwwMap.Cursor<AtomKey> at = atoms.cursorAt(key);
        if (!at.hasEntry()) {
            return false;
        }
        if (at.key().equals(key)) {
            return at.register().isTombstone();
        }
        return at.key().entity().equals(key.name());
    }

    /**
     * For entities made live again over a deletion held in this state (re-created, or re-asserted after
     * a revival): tombstones the live observations and relations that the deletion hid and that
     * {@code current} does not list, so they stay deleted. What the view shows is never touched.
     */
    private int buryHidden(Set<String> recreated, MemoryGraph current, LwwMap.Builder<AtomKey> out, Clock clock) {
        // Relations the view shows are left alone even if the file lacks them: the file may simply not
        // have seen them yet (the diff-base rule). Only hidden ones are buried.
        Set<Relation> keep = new HashSet<>(current.relations());
        keep.addAll(view().relations());
        int emitted = 0;
        for (LwwMap.Cursor<AtomKey> c = atoms.cursor(); c.hasEntry(); c.advance()) {
            AtomKey k = c.key();
            if (!c.register().live()) {
                continue;
            }
            if (k instanceof ObservationKey o && recreated.contains(o.entity())) {
                Entity now = current.entity(o.entity()).orElseThrow();
                boolean shown = view().entity(o.entity()).map(e -> e.observations().contains(o.text())).orElse(false);
                if (!shown && !now.observations().contains(o.text())) {
                    out.put(k, Register.tombstone(clock.tick(), ""));
                    emitted++;
                }
            } else if (k instanceof RelationKey r
                    && (recreated.contains(r.from()) || recreated.contains(r.to()))
                    && !keep.contains(r.relation())) {
                out.put(k, Register.tombstone(clock.tick(), ""));
                emitted++;
            }
        }
        return emitted;
    }

    @Override
    public boolean equals(@Nullable Object o) {
        return this == o || (o instanceof MemoryState s && atoms.equals(s.atoms));
    }

    @Override
    public int hashCode() {
        return atoms.hashCode();
    }

    @Override
    public String toString() {
        return "MemoryState" + atoms.toString().substring("LwwMap".length());
    }
}
