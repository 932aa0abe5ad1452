/*
 * Copyright The crdt-memory authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.crdtmemory.sync;

import io.github.crdtmemory.core.Register;
import io.github.crdtmemory.core.ReplicaId;
import io.github.crdtmemory.memory.AtomKey;
import io.github.crdtmemory.memory.AtomKey.EntityKey;
import io.github.crdtmemory.memory.AtomKey.RelationKey;
import io.github.crdtmemory.memory.AtomKey.ObservationKey;
import io.github.crdtmemory.memory.Entity;
import io.github.crdtmemory.memory.MemoryFileCodec;
import io.github.crdtmemory.memory.MemoryFormatException;
import io.github.crdtmemory.memory.MemoryGraph;
import io.github.crdtmemory.memory.MemoryState;
import io.github.crdtmemory.store.MemoryStore;
import io.github.crdtmemory.store.PublishedState;
import io.github.crdtmemory.sync.StepHook.Step;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;

/**
 * One schedule of the fault model over the real {@link SyncEngine}: several hosts, each with its own
 * memory file and state directory, share one {@link MemoryStore}; each step of the schedule is a write
 * to a host's memory file as the npm MCP server makes it (read, change, write), a tool call of our own
 * MCP server ({@link SyncEngine#edit}), a sync, backup or restore (possibly with a crash or a foreign
 * write at one step boundary of the cycle, through {@link StepHook}), a writer that truncates the file
 * and is caught mid-write, or a physical clock that jumps to the end of time. Then every host syncs
 * without faults until quiescent, and {@link FaultOracle} judges the converged view. See
 * {@link FaultModelProperties}.
 */
final class FaultModel {
    /** What a step can be; {@link FaultModelProperties} may switch kinds off. */
    enum Kind { FILE_WRITE, TOOL_CALL, SYNC, BACKUP, RESTORE, TRUNCATION, CLOCK_JUMP, CRASH, FOREIGN_WRITE }

    /** Base weights of the step kinds (the faults CRASH and FOREIGN_WRITE ride on cycles). */
    private static final int[] WEIGHTS = {30, 12, 20, 30, 8, 4, 1};
    /** Base weights of the operations of a write, one per {@link FaultOracle.Op}. */
    private static final int[] OP_WEIGHTS = {3, 2, 2, 2, 1, 1};
    /** Swarm factors: each host scales the weights of the first five kinds by one of these, each schedule the ops'. */
    private static final int[] SWARM = {0, 0, 1, 2, 4};
    /** Clock skews in milliseconds a host may have; a step takes 1 to 400 ms. */
    private static final long[] SKEWS = {-1500, -300, 0, 300, 1500};
    private static final long START = 1_760_000_000_000L;
    /**
     * A crashed host's engine stays down for up to this many steps (its MCP server, another process,
     * keeps writing the file meanwhile).
     */
    private static final int DOWN_STEPS = 10;
    /** The step boundaries of the write-back. */
    private static final List<Step> WRITE_BACK = List.of(Step.PENDING_SAVED, Step.TEMP_WRITTEN, Step.COMPARED,
            Step.RENAMED);
    private static final int FINAL_ROUNDS = 3;
    /** Stamps beyond this (a thousand years after the model's start) are bad whatever the documented bound. */
    private static final long FAR_FUTURE = START + 1000L * 365 * 24 * 3600 * 1000;

    /** A crash: the process dies at a step boundary (an Error, so nothing in the engine catches it). */
    static final class Crash extends Error {
        private static final long serialVersionUID = 1L;

        Crash(Step step) {
            super("crash at " + step, null, false, false);
        }
    }

    /** A violation of the oracle; {@link #category} names its kind. */
    static final class Violation extends AssertionError {
        private static final long serialVersionUID = 1L;
        final String category;
        /** Every kind of violation this one reports (the oracle reports all it finds at once). */
        final Set<String> categories;

        Violation(String category, String message) {
            this(category, message, Set.of(category));
        }

        Violation(String category, String message, Set<String> categories) {
            super(category + ": " + message);
            this.category = category;
            this.categories = categories;
        }
    }

    /** A fault planned for one cycle: a crash or a foreign write (of MCP operation {@code arg}) at {@code step}. */
    private record Fault(Step step, boolean crash, int arg) {
        @Override
        public String toString() {
            return (crash ? "crash" : "foreign write") + " at " + step;
        }
    }

    private final class ModelHost {
        final int index;
        final ReplicaId replica;
        final Path file;
        final Path stateDir;
        final long skew;
        final int[] weights;
        SyncEngine engine;
        Fault plan;
        int downUntil;
        boolean jumped;
        MemoryState stateAtRead;
        boolean fileCleanAtRead;
        final List<AtomKey> hiddenAtRead = new ArrayList<>();
        final List<AtomKey> hiddenByChange = new ArrayList<>();

        ModelHost(int index, int[] weights, long skew) {
            this.index = index;
            this.weights = weights;
            this.skew = skew;
            this.replica = ReplicaId.of("h" + index);
            this.file = root.resolve("h" + index + "/memory.jsonl");
            this.stateDir = root.resolve("h" + index + "/state");
            this.engine = engine(this, false);
        }
    }

    private final Path root;
    private final Set<Kind> enabled;
    private final MemoryStore store = MemoryStore.create("fault-model");
    private final FaultOracle oracle;
    private final String profile;
    private final List<ModelHost> hosts = new ArrayList<>();
    private final StringBuilder trace = new StringBuilder();
    private long now = START;
    private int stepIndex;
    private int truncations;

    /**
     * A model of {@code hosts} hosts. {@code swarm} draws the schedule's profile (swarm testing): how
     * many entity names the writes share (1 or 2, so that they collide), how often each operation is
     * made and, per host, how often each kind of step comes, some not at all (a host that only backs
     * up, say).
     */
    FaultModel(Path root, int hosts, Set<Kind> enabled, long swarm) {
        this.root = root;
        this.enabled = enabled.isEmpty() ? EnumSet.noneOf(Kind.class) : EnumSet.copyOf(enabled);
        Random r = new Random(swarm);
        int[] ops = new int[OP_WEIGHTS.length];
        do {
            for (int k = 0; k < ops.length; k++) {
                ops[k] = OP_WEIGHTS[k] * SWARM[r.nextInt(SWARM.length)];
            }
        } while (ops[0] + ops[1] == 0);
        this.oracle = new FaultOracle(r.nextInt(3) == 0 ? 2 : 1, ops);
        boolean truncating = r.nextInt(4) == 0;
        boolean jumping = r.nextInt(3) == 0;
        StringBuilder p = new StringBuilder("profile: operation weights " + Arrays.toString(ops) + " of "
                + List.of(FaultOracle.Op.values()) + "; step weights of " + List.of(Kind.values()).subList(0, 7));
        for (int i = 0; i < hosts; i++) {
            int[] weights = WEIGHTS.clone();
            weights[Kind.TRUNCATION.ordinal()] = truncating ? WEIGHTS[Kind.TRUNCATION.ordinal()] : 0;
            weights[Kind.CLOCK_JUMP.ordinal()] = jumping ? WEIGHTS[Kind.CLOCK_JUMP.ordinal()] : 0;
            do {
                for (int k = 0; k < 5; k++) {
                    weights[k] = WEIGHTS[k] * SWARM[r.nextInt(SWARM.length)];
                }
            } while (weights[0] + weights[1] + weights[2] + weights[3] + weights[4] == 0);
            long skew = SKEWS[r.nextInt(SKEWS.length)];
            p.append(", host ").append(i).append(' ').append(Arrays.toString(weights)).append(" skew ").append(skew);
            this.hosts.add(new ModelHost(i, weights, skew));
        }
        this.profile = p.toString();
    }

    /** What happened, one line per step and fault, after the profile. */
    String trace() {
        return profile + "\n" + trace;
    }

    /** Runs the schedule, the quiescent rounds and the checks; throws {@link Violation} on the first violation. */
    void run(List<Integer> schedule) {
        for (int i = 0; i < schedule.size(); i++) {
            step(i, schedule.get(i));
        }
        quiesce();
        check();
    }

    private SyncEngine engine(ModelHost h, boolean massDeletionAllowed) {
        SyncSettings settings = SyncSettings.of(h.file, h.stateDir, h.replica)
                .withPhysicalClock(() -> h.jumped ? Long.MAX_VALUE : now + h.skew)
                .withKeptCopies(10_000)
                .withMassDeletionAllowed(massDeletionAllowed);
        return SyncEngine.withHook(settings, store, step -> at(h, step));
    }

    /** One step, all of whose choices are drawn from {@code x}: a host, by its weights a kind, and the rest. */
    private void step(int i, int x) {
        stepIndex = i;
        Random r = new Random(x);
        ModelHost h = hosts.get(r.nextInt(hosts.size()));
        Kind kind = Kind.values()[pick(h.weights, r)];
        int arg = r.nextInt(Integer.MAX_VALUE);
        now += 1 + r.nextInt(400);
        if (!enabled.contains(kind)) {
            return;
        }
        trace.append(String.format("%3d host %d %s", i, h.index, kind));
        switch (kind) {
            case FILE_WRITE -> {
                trace.append('\n');
                fileWrite(h, arg, "file write", false);
            }
            case TRUNCATION -> {
                if (truncations++ == 0) {
                    truncation(h, arg);
                } else {
                    trace.append(" (skipped: one per schedule, each refusal waits 80 ms)\n");
                }
            }
            case CLOCK_JUMP -> {
                if (oracle.tainted().isEmpty()) {
                    clockJump(h, arg);
                } else {
                    trace.append(" (skipped: one per schedule)\n");
                }
            }
            default -> {
                if (i < h.downUntil) {
                    trace.append(" (skipped: down after a crash)\n");
                } else {
                    cycle(h, kind, arg, fault(r));
                }
            }
        }
    }

    /** An index drawn with these weights (not all zero). */
    static int pick(int[] weights, Random r) {
        int at = r.nextInt(Arrays.stream(weights).sum());
        for (int k = 0; ; k++) {
            at -= weights[k];
            if (at < 0) {
                return k;
            }
        }
    }

    /**
     * No fault (9 in 20), a crash (6 in 20) or a foreign write (5 in 20), at a step boundary: a third of
     * the time any, else one of the write-back's ({@link #WRITE_BACK}), where the races are.
     */
    private Fault fault(Random r) {
        int which = r.nextInt(20);
        Step step = r.nextInt(3) == 0 ? Step.values()[r.nextInt(Step.values().length)]
                : WRITE_BACK.get(r.nextInt(WRITE_BACK.size()));
        if (which >= 9 && which < 15 && enabled.contains(Kind.CRASH)) {
            return new Fault(step, true, r.nextInt(DOWN_STEPS));
        }
        if (which >= 15 && enabled.contains(Kind.FOREIGN_WRITE)) {
            return new Fault(step, false, r.nextInt(Integer.MAX_VALUE));
        }
        return null;
    }

    /** The hook of every engine: the model's bookkeeping, then the planned fault if this is its step. */
    private void at(ModelHost h, Step step) {
        if (step == Step.READ) {
            atRead(h);
        } else if (step == Step.STAMPED) {
            String why = "a re-creation stamped by host " + h.index + " in step " + stepIndex;
            h.hiddenAtRead.forEach(k -> oracle.bury(k, why));
            h.hiddenByChange.forEach(k -> oracle.bury(k, why));
            h.hiddenAtRead.clear();
            h.hiddenByChange.clear();
        }
        Fault f = h.plan;
        if (f == null || f.step() != step) {
            return;
        }
        h.plan = null;
        trace.append("      ").append(f).append(" happens\n");
        if (f.crash()) {
            throw new Crash(step);
        }
        boolean inPlace = f.arg() % 2 == 0;
        FaultOracle.Write w = fileWrite(h, f.arg(), "foreign file write " + (inPlace ? "in place" : "by rename")
                + " at " + step, inPlace);
        w.inWindow = step == Step.COMPARED;
    }

    /**
     * A completed write of the memory file by an MCP server that takes no lock: read, change, write,
     * either {@code inPlace} (truncate and write, as Node's {@code fs.writeFile}) or by renaming a
     * temporary file over it.
     */
    private FaultOracle.Write fileWrite(ModelHost h, int arg, String how, boolean inPlace) {
        MemoryGraph g = Host.read(h.file);
        FaultOracle.Write w = oracle.begin(h.index, how, g);
        MemoryGraph next = oracle.apply(w, g, arg, missing(h, g));
        if (inPlace) {
            writeBytes(h.file, MemoryFileCodec.write(next, false));
        } else {
            Host.write(h.file, next);
        }
        w.acked = true;
        trace.append("      ").append(w).append('\n');
        return w;
    }

    /** The entities {@code h}'s state shows and {@code g} lacks. */
    private List<String> missing(ModelHost h, MemoryGraph g) {
        MemoryGraph shown = new StateDirectory(h.stateDir, h.replica).load().map(c -> c.state().view())
                .orElse(MemoryGraph.empty());
        return shown.entities().stream().map(Entity::name)
                .filter(n -> !n.startsWith(FaultOracle.MARKER_PREFIX) && g.entity(n).isEmpty()).toList();
    }

    /** One sync, backup, restore or tool call on {@code h}, with {@code fault} planned. */
    private void cycle(ModelHost h, Kind kind, int arg, Fault fault) {
        trace.append(fault == null ? "" : " (" + fault + " planned)").append('\n');
        h.plan = fault;
        try {
            run(h, kind, arg, h.engine);
        } catch (Crash c) {
            h.engine = engine(h, false); // a restart: a new engine on the same settings and state directory
            h.downUntil = stepIndex + 1 + fault.arg();
            trace.append("      the host restarts after ").append(fault.arg()).append(" more step(s)\n");
            if (fault.arg() % 2 == 0) {
                fileWrite(h, arg ^ fault.arg(), "file write while the engine is down", false);
            }
        } catch (MassDeletionException e) {
            trace.append("      refused as a mass deletion; the user confirms it\n");
            h.plan = null;
            attempt(h, kind, arg, engine(h, true));
        } catch (RuntimeException e) {
            stopped(h, kind, e);
        } finally {
            h.plan = null;
        }
    }

    private void attempt(ModelHost h, Kind kind, int arg, SyncEngine engine) {
        try {
            run(h, kind, arg, engine);
        } catch (RuntimeException e) {
            stopped(h, kind, e);
        }
    }

    private void stopped(ModelHost h, Kind kind, RuntimeException e) {
        if (oracle.tainted(h.index)) {
            trace.append("      failed (its clock jumped, allowed): ").append(e).append('\n');
            return;
        }
        Violation v = new Violation("HOST_STOPPED", "host " + h.index + "'s " + kind + " failed: " + e);
        v.initCause(e);
        throw v;
    }

    private void run(ModelHost h, Kind kind, int arg, SyncEngine engine) {
        switch (kind) {
            case SYNC -> engine.sync();
            case BACKUP -> engine.backup();
            case RESTORE -> engine.restore();
            default -> toolCall(h, arg, engine);
        }
    }

    /** A tool call of our MCP server: {@link SyncEngine#edit}; acknowledged when it returns. */
    private void toolCall(ModelHost h, int arg, SyncEngine engine) {
        FaultOracle.Write[] made = {null};
        engine.edit(view -> {
            FaultOracle.Write w = oracle.begin(h.index, "tool call", view);
            made[0] = w;
            MemoryGraph next = oracle.apply(w, view, arg, List.of());
            if (h.stateAtRead != null && h.fileCleanAtRead) {
                for (Entity e : next.entities()) {
                    if (view.entity(e.name()).isEmpty()) {
                        h.hiddenByChange.addAll(hidden(h.stateAtRead, e.name(), next));
                    }
                }
            }
            return next;
        });
        if (made[0] != null) {
            made[0].acked = true;
            trace.append("      ").append(made[0]).append('\n');
        }
    }

    /**
     * At READ, before any fault: which observations a re-creation in the file would find hidden by
     * their entity's tombstone (they must stay hidden once the cycle has stamped it).
     */
    private void atRead(ModelHost h) {
        h.hiddenAtRead.clear();
        h.hiddenByChange.clear();
        h.stateAtRead = null;
        Optional<Checkpoint> loaded = new StateDirectory(h.stateDir, h.replica).load();
        Optional<byte[]> bytes = readBytes(h.file);
        if (loaded.isEmpty() || bytes.isEmpty()) {
            return;
        }
        Checkpoint cp = loaded.get();
        MemoryGraph current = parse(bytes.get());
        byte[] pending = cp.pendingBytes().orElse(null);
        boolean landed = pending != null && Arrays.equals(pending, bytes.get());
        MemoryGraph base = landed ? current : cp.base();
        MemoryGraph pendingView = pending == null || landed ? null : parse(pending);
        h.stateAtRead = cp.state();
        h.fileCleanAtRead = current.canonical().equals(base.canonical());
        for (Entity e : current.entities()) {
            boolean before = base.entity(e.name()).isPresent()
                    || (pendingView != null && pendingView.entity(e.name()).isPresent());
            if (!before) {
                h.hiddenAtRead.addAll(hidden(cp.state(), e.name(), current));
            }
        }
    }

    /**
     * The live observations of {@code name}, and the live relations from or to it, that {@code state}
     * holds, its view hides and {@code current} does not list, when {@code name}'s register is a
     * tombstone: what a re-creation of {@code name} must bury.
     */
    private static List<AtomKey> hidden(MemoryState state, String name, MemoryGraph current) {
        List<AtomKey> out = new ArrayList<>();
        Register entity = state.atoms().get(new EntityKey(name)).orElse(null);
        if (entity == null || entity.live()) {
            return out;
        }
        MemoryGraph view = state.view();
        state.atoms().forEach((k, r) -> {
            if (!r.live() || FaultOracle.visible(view, k) || FaultOracle.visible(current, k)) {
                return;
            }
            if (k instanceof ObservationKey o && o.entity().equals(name)
                    || k instanceof RelationKey rk && (rk.from().equals(name) || rk.to().equals(name))) {
                out.add(k);
            }
        });
        return out;
    }

    /**
     * A writer that truncates the file and then writes it (MCP servers up to 2026.7.4) is caught between
     * the two by a cycle: the file is emptied, or cut inside its first line. Such a truncation is no
     * user deletion: the cycle must refuse it. Then the writer finishes its write.
     */
    private void truncation(ModelHost h, int arg) {
        Optional<byte[]> bytes = readBytes(h.file);
        Optional<Checkpoint> cp = new StateDirectory(h.stateDir, h.replica).load();
        MemoryGraph g = bytes.map(FaultModel::parse).orElse(MemoryGraph.empty());
        MemoryGraph base = cp.map(Checkpoint::base).orElse(MemoryGraph.empty());
        if (bytes.isPresent() && cp.isPresent() && cp.get().pendingBytes().map(p -> Arrays.equals(p, bytes.get()))
                .orElse(false)) {
            base = g;
        }
        if (g.entities().isEmpty() || base.entities().isEmpty()) {
            trace.append(" (skipped: nothing the last cycle saw to truncate)\n");
            return;
        }
        FaultOracle.Write w = oracle.begin(h.index, "truncating file write", g);
        MemoryGraph intended = oracle.apply(w, g, arg, List.of());
        byte[] whole = MemoryFileCodec.write(intended, false);
        int firstLine = Math.max(1, indexOf(whole, (byte) '\n'));
        byte[] cut = arg % 3 == 2 ? Arrays.copyOf(whole, 1 + (arg / 3) % Math.max(1, firstLine - 1)) : new byte[0];
        writeBytes(h.file, cut);
        Kind kind = List.of(Kind.SYNC, Kind.BACKUP, Kind.RESTORE, Kind.TOOL_CALL).get((arg / 3) % 4);
        trace.append(" (cut to ").append(cut.length).append(" bytes, then ").append(kind).append(")\n");
        try {
            run(h, kind, arg, h.engine);
            throw new Violation("TRUNCATION_STAMPED", "host " + h.index + "'s " + kind + " took a file cut to "
                    + cut.length + " bytes by a writer mid-write for the user's edit, without refusing it");
        } catch (MassDeletionException | MemoryFormatException e) {
            trace.append("      refused: ").append(e.getClass().getSimpleName()).append('\n');
        } catch (RuntimeException e) {
            stopped(h, kind, e);
        }
        writeBytes(h.file, whole);
        w.acked = true;
        trace.append("      the writer finishes: ").append(w).append('\n');
    }

    /** The physical clock of {@code h} jumps to the end of time for one write and one sync. */
    private void clockJump(ModelHost h, int arg) {
        trace.append('\n');
        oracle.taint(h.index);
        h.jumped = true;
        try {
            fileWrite(h, arg, "file write with the clock at Long.MAX_VALUE", false);
            cycle(h, Kind.SYNC, arg, null);
        } finally {
            h.jumped = false;
        }
    }

    /** Every host syncs without faults, {@value #FINAL_ROUNDS} rounds; hosts with a jumped clock try once first. */
    private void quiesce() {
        trace.append("quiescent rounds\n");
        stepIndex = -1;
        for (ModelHost h : hosts) {
            if (oracle.tainted(h.index)) {
                h.engine = engine(h, false);
                trace.append("    host ").append(h.index).append(" SYNC");
                cycle(h, Kind.SYNC, 0, null);
            }
        }
        for (int round = 0; round < FINAL_ROUNDS; round++) {
            for (ModelHost h : hosts) {
                if (!oracle.tainted(h.index)) {
                    trace.append("    host ").append(h.index).append(" SYNC");
                    cycle(h, Kind.SYNC, 0, null);
                }
            }
        }
    }

    private void check() {
        MemoryGraph view = null;
        MemoryState state = null;
        for (ModelHost h : hosts) {
            if (oracle.tainted(h.index)) {
                continue;
            }
            MemoryGraph file = Host.read(h.file);
            MemoryState own = new StateDirectory(h.stateDir, h.replica).load().orElseThrow().state();
            MemoryState published = store.read().get(h.replica).map(PublishedState::state).orElse(null);
            if (view == null) {
                view = file;
                state = own;
            }
            if (!file.canonical().equals(view.canonical()) || !own.equals(state) || !own.equals(published)
                    || !own.view().canonical().equals(file.canonical())) {
                throw new Violation("DIVERGED", "host " + h.index + " did not converge: file " + file
                        + ", state view " + own.view() + ", first host's file " + view);
            }
        }
        if (view == null) {
            return;
        }
        state.maxStamp().filter(s -> s.wallMillis() > FAR_FUTURE).ifPresent(s -> {
            throw new Violation("BAD_STAMP_SPREAD", "the hosts whose clocks did not jump hold a stamp at the end of"
                    + " time, " + s + ", merged from a host whose clock jumped: it is not refused or quarantined");
        });
        List<String> violations = oracle.check(view, this::keptInCopy);
        if (!violations.isEmpty()) {
            String first = violations.get(0);
            Set<String> all = new TreeSet<>();
            violations.forEach(x -> all.add(x.substring(0, x.indexOf(':'))));
            throw new Violation(first.substring(0, first.indexOf(':')), String.join("\n", violations).substring(
                    first.indexOf(':') + 2) + "\nconverged view: " + view, all);
        }
    }

    /** Whether a kept copy of {@code w}'s host's memory file holds {@code w}'s marker. */
    private boolean keptInCopy(FaultOracle.Write w) {
        Path copies = hosts.get(w.host).stateDir.resolve(StateDirectory.COPIES_DIR);
        String quoted = "\"" + w.marker() + "\"";
        try {
            for (Path copy : StateDirectory.copies(copies)) {
                if (Files.readString(copy, StandardCharsets.UTF_8).contains(quoted)) {
                    return true;
                }
            }
            return false;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static MemoryGraph parse(byte[] bytes) {
        return MemoryFileCodec.parse(bytes, "memory file").graph();
    }

    private static int indexOf(byte[] bytes, byte b) {
        for (int i = 0; i < bytes.length; i++) {
            if (bytes[i] == b) {
                return i;
            }
        }
        return bytes.length;
    }

    private static Optional<byte[]> readBytes(Path file) {
        try {
            return Files.exists(file) ? Optional.of(Files.readAllBytes(file)) : Optional.empty();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void writeBytes(Path file, byte[] bytes) {
        try {
            Files.createDirectories(file.getParent());
            Files.write(file, bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

}
