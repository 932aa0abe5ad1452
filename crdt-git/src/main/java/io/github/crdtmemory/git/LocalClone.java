/*
 * Copyright The crdt-memory authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.crdtmemory.git;

import io.github.crdtmemory.core.ReplicaId;
import io.github.crdtmemory.internal.PrivateFiles;
import io.github.crdtmemory.store.CorruptStateException;
import io.github.crdtmemory.store.Quarantine;
import io.github.crdtmemory.store.Revision;
import io.github.crdtmemory.store.StoreAccessException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The bare local clone a {@link GitStore} works in, and the git commands it runs there: plumbing only
 * (no worktree, no index, no merge, no rebase). Not thread-safe: the store calls it under its lock.
 */
final class LocalClone {
    static final String REPLICA_PREFIX = "refs/heads/replicas/";
    static final String TRACKING_PREFIX = "refs/remotes/origin/replicas/";
    static final String MAIN_TRACKING = "refs/remotes/origin/main";
    static final String ARCHIVE_PREFIX = "refs/archive/replicas/";
    static final String ARCHIVE_TRACKING_PREFIX = "refs/remotes/origin/archive/replicas/";
    /** The trailer by which a compaction commit names the tip it archived. */
    static final String PREVIOUS_TIP = "Previous-tip";
    /** Loose objects past which {@link #maintain} repacks (a publication adds about seven). */
    static final int MAX_LOOSE_OBJECTS = 256;
    /** Packs past which {@link #maintain} repacks (a fetch of 100 objects or more adds one). */
    static final int MAX_PACKS = 16;

    private static final Logger log = LoggerFactory.getLogger(LocalClone.class);

    private final Path repo;
    private final GitProcess git;
    private final GitStoreOptions options;
    private final String store;
    /** Loose objects left by the last {@link #maintain} repack (unreachable and young). */
    private long unprunable;

    LocalClone(Path repo, GitProcess git, GitStoreOptions options, String store) {
        this.repo = repo;
        this.git = git;
        this.options = options;
        this.store = store;
    }

    Path path() {
        return repo;
    }

    /** The bound on each local command ({@link GitStoreOptions#timeout()}). */
    Duration timeout() {
        return options.timeout();
    }

    /** Creates the bare clone if it does not exist. */
    void ensure(@Nullable ReplicaId replica) {
        if (Files.exists(repo.resolve("HEAD"))) {
            return;
        }
        try {
            PrivateFiles.createDirectories(PrivateFiles.parentOf(repo));
        } catch (IOException e) {
            throw new GitOperationError(store, replica, GitOperationError.Kind.FAILED, List.of("init"), -1,
                    "cannot create " + repo.getParent() + ": " + e, Duration.ZERO, repo.getParent(), e);
        }
        run(PrivateFiles.parentOf(repo), options.timeout(), null, replica, List.of("init", "--bare", "-q", "--",
                repo.toString()));
        try {
            Files.setPosixFilePermissions(repo, PrivateFiles.DIR_MODE);
        } catch (IOException | UnsupportedOperationException e) {
            log.debug("cannot restrict {}: {}", repo, e.toString());
        }
    }

    /**
     * Removes the git lock files a killed run left in the clone, only when no git process of ours can
     * hold them. The caller holds the store's own lock, so no store of any JVM runs git here now; but a
     * JVM killed without its shutdown hook (SIGKILL) leaves its git running, named in the process
     * record: {@code survivors}. One that has run past every timeout (the longer of the two, plus the
     * kill grace) is ended; while any other still runs, every lock is kept (git then reports
     * {@code LOCKED}, and a later run retries). Looks only where git puts lock files: the repository's
     * top level ({@code HEAD}, {@code config}, {@code index}, {@code packed-refs}, {@code shallow} ...),
     * {@code refs/}, {@code logs/}, {@code objects/info/} and {@code objects/pack/}.
     */
    void removeStaleLocks(List<ProcessHandle> survivors) {
        if (!Files.isDirectory(repo)) {
            return;
        }
        Duration limit = (options.timeout().compareTo(options.networkTimeout()) > 0 ? options.timeout()
                : options.networkTimeout()).plus(GitProcess.GRACE);
        List<Long> running = new ArrayList<>();
        for (ProcessHandle h : survivors) {
            if (GitProcessGroups.age(h).compareTo(limit) > 0) {
                log.warn("ending git process group {} left by an earlier run: it ran {} s, past every timeout", h.pid(),
                        GitProcessGroups.age(h).toSeconds());
                git.terminate(h);
            }
            if (GitProcessGroups.isRunning(h)) {
                running.add(h.pid());
            }
        }
        if (!running.isEmpty()) {
            log.warn("git processes {} of an earlier run still run in {}; their lock files are kept", running, repo);
            return;
        }
        for (Path p : lockFiles()) {
            log.warn("removing stale git lock {} (no git process of ours is running in the clone)", p);
            try {
                Files.deleteIfExists(p);
            } catch (IOException e) {
                log.warn("cannot remove {}: {}", p, e.toString());
            }
        }
    }

    /** The {@code *.lock} files where git puts them (not under {@code objects/xx/}, never through a link). */
    private List<Path> lockFiles() {
        List<Path> found = new ArrayList<>();
        for (String dir : List.of("", "objects/info", "objects/info/commit-graphs", "objects/pack")) {
            try (Stream<Path> files = Files.isDirectory(repo.resolve(dir), LinkOption.NOFOLLOW_LINKS)
                    ? Files.list(repo.resolve(dir)) : Stream.empty()) {
                files.filter(LocalClone::isLock).forEach(found::add);
            } catch (IOException e) {
                log.warn("cannot scan {} for stale locks: {}", repo.resolve(dir), e.toString());
            }
        }
        for (String tree : List.of("refs", "logs")) {
            try (Stream<Path> files = Files.isDirectory(repo.resolve(tree), LinkOption.NOFOLLOW_LINKS)
                    ? Files.walk(repo.resolve(tree)) : Stream.empty()) {
                files.filter(LocalClone::isLock).forEach(found::add);
            } catch (IOException | UncheckedIOException e) {
                log.warn("cannot scan {} for stale locks: {}", repo.resolve(tree), e.toString());
            }
        }
        return found;
    }

    private static boolean isLock(Path p) {
        return p.getFileName().toString().endsWith(".lock") && Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS);
    }

    /**
     * Moves a damaged clone aside, for forensics, and creates a fresh one. Only the newest copy moved
     * aside is kept: older ones are deleted, so repeated damage cannot fill the disk.
     */
    void quarantine(@Nullable ReplicaId replica, GitOperationError why) {
        Path aside = repo.resolveSibling(repo.getFileName() + ".corrupt-" + System.currentTimeMillis());
        log.warn("local clone {} is damaged ({}); moved to {} and cloned again", repo, why.getMessage(), aside);
        try {
            Files.move(repo, aside);
        } catch (IOException e) {
            throw new GitOperationError(store, replica, GitOperationError.Kind.CORRUPT, List.of("quarantine"), -1,
                    "cannot move the damaged clone aside: " + e, Duration.ZERO, repo, e);
        }
        removeOlderCopies(aside);
        ensure(replica);
    }

    /**
     * Keeps the clone bounded (automatic gc is off): when {@code git count-objects -v} shows more than
     * {@link #MAX_LOOSE_OBJECTS} loose objects or more than {@link #MAX_PACKS} packs, repacks everything
     * into one pack ({@code repack -a -d}) and prunes unreachable loose objects older than an hour
     * (younger ones may belong to a publication not yet fetched back, or to a git process of an earlier
     * run). Loose objects the last repack had to leave do not count towards the next one, so a burst of
     * unreachable objects does not make every publication repack. Each command runs under
     * {@link GitStoreOptions#timeout()}. Best effort: a failure is logged, never
     * thrown, since the clone stays correct, only larger. The caller holds the clone's lock.
     *
     * @return true if it repacked
     */
    boolean maintain(@Nullable ReplicaId replica) {
        try {
            Map<String, Long> counts = countObjects(replica);
            long loose = counts.getOrDefault("count", 0L);
            long packs = counts.getOrDefault("packs", 0L);
            if (loose <= unprunable + MAX_LOOSE_OBJECTS && packs <= MAX_PACKS) {
                return false;
            }
            command(replica, List.of("repack", "-a", "-d", "-q")).run();
            command(replica, List.of("prune", "--expire=1.hour.ago")).run();
            unprunable = countObjects(replica).getOrDefault("count", 0L);
            log.debug("repacked {}: {} loose objects and {} packs before, {} loose after", repo, loose, packs,
                    unprunable);
            return true;
        } catch (GitOperationError e) {
            log.warn("cannot repack the local clone {} (it stays correct, only larger): {}", repo, e.getMessage());
            return false;
        }
    }

    /** The fields of {@code git count-objects -v}: {@code count} (loose objects), {@code packs}, sizes in KiB. */
    Map<String, Long> countObjects(@Nullable ReplicaId replica) {
        Map<String, Long> counts = new LinkedHashMap<>();
        String out = command(replica, List.of("count-objects", "-v")).run().out();
        for (String line : out.split("\n")) {
            int colon = line.indexOf(':');
            if (colon > 0 && line.substring(colon + 1).strip().matches("\\d{1,18}")) {
                counts.put(line.substring(0, colon).strip(), Long.parseLong(line.substring(colon + 1).strip()));
            }
        }
        return counts;
    }

    /** Deletes the clones moved aside before {@code newest} (never following a link out of them). */
    private void removeOlderCopies(Path newest) {
        String prefix = repo.getFileName() + ".corrupt-";
        try (Stream<Path> siblings = Files.list(repo.getParent())) {
            for (Path old : (Iterable<Path>) siblings::iterator) {
                if (!old.getFileName().toString().startsWith(prefix) || old.equals(newest)) {
                    continue;
                }
                try (Stream<Path> tree = Files.walk(old)) {
                    for (Path p : (Iterable<Path>) tree.sorted(java.util.Comparator.reverseOrder())::iterator) {
                        Files.deleteIfExists(p);
                    }
                }
                log.info("removed {}, an older copy of a damaged clone", old);
            }
        } catch (IOException | java.io.UncheckedIOException e) {
            log.warn("cannot remove older copies of damaged clones next to {}: {}", repo, e.toString());
        }
    }

    /**
     * Fetches every replica ref and {@code main}, pruning refs the remote no longer has. When that fails
     * on objects (git's checks refuse one, say), each ref is fetched alone: the refs that still fail are
     * left out and their replicas returned as quarantined, the others are fetched. If no single ref is
     * to blame, or the clone itself fails {@code git fsck}, the first failure is thrown (the store then
     * clones again).
     *
     * @return the replicas whose refs could not be fetched; empty normally
     */
    List<Quarantine> fetch(@Nullable ReplicaId replica) {
        GitProcess.Result r = command(replica, fetchArgs(List.of())).network().result();
        if (r.exitCode() == 0) {
            return List.of();
        }
        GitOperationError failure = error(r, replica);
        if (!isObjectFailure(failure)) {
            throw failure;
        }
        return fetchEachRef(replica, failure);
    }

    private static List<String> fetchArgs(List<String> excluded) {
        List<String> args = new ArrayList<>(List.of("fetch", "--no-tags", "--prune",
                "--no-write-fetch-head", "--no-auto-maintenance", "origin",
                "+" + REPLICA_PREFIX + "*:" + TRACKING_PREFIX + "*",
                "+refs/heads/main*:refs/remotes/origin/main*"));
        excluded.forEach(ref -> args.add("^" + ref));
        return args;
    }

    /** A failure about objects, which one bad ref can cause; not the network, credentials or the disk. */
    private static boolean isObjectFailure(GitOperationError e) {
        return e.kind() == GitOperationError.Kind.CORRUPT || e.kind() == GitOperationError.Kind.FAILED;
    }

    /** Fetches ref by ref after a combined fetch failed; see {@link #fetch}. */
    private List<Quarantine> fetchEachRef(@Nullable ReplicaId replica, GitOperationError failure) {
        String listing = command(replica, List.of("ls-remote", "origin", REPLICA_PREFIX + "*", "refs/heads/main*"))
                .network().run().out();
        List<Quarantine> bad = new ArrayList<>();
        List<String> excluded = new ArrayList<>();
        for (String line : listing.split("\n")) {
            String[] parts = line.split("\t");
            if (parts.length != 2 || !parts[1].startsWith("refs/heads/")) {
                continue;
            }
            String ref = parts[1];
            String tracking = "refs/remotes/origin/" + ref.substring("refs/heads/".length());
            GitProcess.Result one = command(replica, List.of("fetch", "--no-tags", "--no-write-fetch-head",
                    "--no-auto-maintenance", "origin", "+" + ref + ":" + tracking)).network().result();
            if (one.exitCode() == 0) {
                continue;
            }
            GitOperationError oneFailure = error(one, replica);
            if (!isObjectFailure(oneFailure)) {
                throw oneFailure;
            }
            excluded.add(ref);
            String id = ref.startsWith(REPLICA_PREFIX) ? ref.substring(REPLICA_PREFIX.length()) : "";
            if (ReplicaId.isValid(id) && parts[0].matches("[0-9a-f]{40}([0-9a-f]{24})?")) {
                bad.add(new Quarantine(ReplicaId.of(id), Revision.of(parts[0]), "its ref cannot be fetched at "
                        + parts[0] + ": " + firstError(one.stderr())));
            } else {
                log.warn("{}: {} cannot be fetched and is skipped: {}", store, ref, firstError(one.stderr()));
            }
        }
        if (excluded.isEmpty()) {
            throw failure; // no one ref is to blame
        }
        GitProcess.Result fsck = command(replica, List.of("fsck", "--no-dangling", "--no-progress")).result();
        if (fsck.exitCode() != 0) { // the clone is damaged, not the replicas: CORRUPT makes the store clone again
            GitOperationError damaged = new GitOperationError(store, replica, GitOperationError.Kind.CORRUPT,
                    fsck.args(), fsck.exitCode(), fsck.stderr(), fsck.elapsed(), repo, null);
            damaged.addSuppressed(failure);
            throw damaged;
        }
        command(replica, fetchArgs(excluded)).network().run(); // prunes what the remote deleted
        return bad;
    }

    /** The first {@code error:} or {@code fatal:} line of git's stderr, without the prefix; bounded. */
    private static String firstError(String stderr) {
        for (String line : stderr.split("\n")) {
            String l = line.strip();
            if (l.startsWith("error: ") || l.startsWith("fatal: ")) {
                String text = l.substring(l.indexOf(' ') + 1);
                return text.length() > 300 ? text.substring(0, 300) + "..." : text;
            }
        }
        return "git refused it";
    }

    /** Fetches {@code main} alone (cheaper than {@link #fetch}: a writer waiting for another to move it). */
    void fetchMain(@Nullable ReplicaId replica) {
        command(replica, List.of("fetch", "--no-tags", "--no-write-fetch-head", "--no-auto-maintenance", "origin",
                "+refs/heads/main*:refs/remotes/origin/main*")).network().run();
    }

    /**
     * Fetches one replica's archived history (the old tips its compactions kept under
     * {@code refs/archive/replicas/<id>/}); only history reads need it, so a sync never pays for it.
     */
    void fetchArchive(ReplicaId replica) {
        command(replica, List.of("fetch", "--no-tags", "--no-write-fetch-head",
                "--no-auto-maintenance", "origin", "+" + ARCHIVE_PREFIX + replica.value() + "/*:"
                        + ARCHIVE_TRACKING_PREFIX + replica.value() + "/*")).network().run();
    }

    /** The commit a compaction commit continues ({@value #PREVIOUS_TIP} trailer), or null. */
    @Nullable String previousTip(String commit, @Nullable ReplicaId replica) {
        String value = command(replica, List.of("show", "-s",
                "--format=%(trailers:key=" + PREVIOUS_TIP + ",valueonly,separator=%x2C)", commit, "--")).run().out()
                .strip();
        return value.matches("[0-9a-f]{40}([0-9a-f]{24})?") ? value : null;
    }

    /** Returns ref name to object id for the refs under {@code prefix}. */
    Map<String, String> refs(String prefix, @Nullable ReplicaId replica) {
        String out = command(replica, List.of("for-each-ref", "--format=%(objectname) %(refname)", prefix)).run()
                .out();
        Map<String, String> refs = new LinkedHashMap<>();
        for (String line : out.split("\n")) {
            int sp = line.indexOf(' ');
            if (sp > 0) {
                refs.put(line.substring(sp + 1), line.substring(0, sp));
            }
        }
        return refs;
    }

    /**
     * What {@code cat-file --batch-check} says of one object.
     *
     * @param type {@code blob}, {@code tree}, {@code commit} or {@code tag}
     * @param size its size in bytes
     */
    record ObjectInfo(String type, long size) {
    }

    /** Type and size of objects by name ({@code <commit>:<path>}), without reading them; a missing one is null. */
    List<ObjectInfo> inspect(List<String> names, @Nullable ReplicaId replica) {
        if (names.isEmpty()) {
            return List.of();
        }
        StringBuilder in = new StringBuilder();
        names.forEach(n -> in.append(n).append('\n'));
        String out = command(replica, List.of("cat-file", "--batch-check"))
                .input(in.toString().getBytes(StandardCharsets.UTF_8)).run().out();
        String[] lines = out.split("\n");
        if (lines.length < names.size()) {
            throw corrupt(replica, "cat-file --batch-check ended early");
        }
        List<ObjectInfo> infos = new ArrayList<>();
        for (int i = 0; i < names.size(); i++) {
            String[] parts = lines[i].split(" ");
            if (parts.length == 3 && parts[2].chars().allMatch(Character::isDigit)) {
                infos.add(new ObjectInfo(parts[1], Long.parseLong(parts[2])));
            } else {
                infos.add(null); // "<name> missing" (or ambiguous)
            }
        }
        return infos;
    }

    /**
     * Reads objects by name ({@code <commit>:<path>}); a missing one is null. Each is first checked to be
     * a file no larger than {@link GitStoreOptions#maxStateBytes()}, so nothing is loaded whole unchecked.
     *
     * @throws CorruptStateException if one names a directory, not a file
     * @throws StoreAccessException if one is over the size limit
     */
    List<byte[]> readBlobs(List<String> names, @Nullable ReplicaId replica) {
        List<ObjectInfo> infos = inspect(names, replica);
        for (int i = 0; i < names.size(); i++) {
            ObjectInfo info = infos.get(i);
            if (info != null && !info.type().equals("blob")) {
                throw new CorruptStateException(store, replica, names.get(i) + " is a " + info.type() + ", not a file",
                        null);
            }
            if (info != null && info.size() > options.maxStateBytes()) {
                throw new StoreAccessException(store, replica, names.get(i) + " is " + info.size()
                        + " bytes, over the limit of " + options.maxStateBytes() + " bytes", null);
            }
        }
        return readInspected(names, replica);
    }

    /** Reads objects by name that {@link #inspect} found to be blobs within the limit; a missing one is null. */
    List<byte[]> readInspected(List<String> names, @Nullable ReplicaId replica) {
        return readObjects(names, "blob", replica);
    }

    /** Reads objects of {@code type} by name or id ({@code cat-file --batch}); a missing one is null. */
    List<byte[]> readObjects(List<String> names, String type, @Nullable ReplicaId replica) {
        List<byte[]> out = new ArrayList<>(names.size());
        readEach(names, type, replica, (i, id, content) -> out.add(content));
        return out;
    }

    /** Receives the objects {@link #readEach} reads, in order, one at a time. */
    @FunctionalInterface
    interface ObjectSink {
        /**
         * Takes one object.
         *
         * @param index the index of the name asked for
         * @param id the object's id, or null if it is missing
         * @param content its bytes (an array of exactly its size), or null if it is missing
         */
        void accept(int index, @Nullable String id, byte @Nullable [] content);
    }

    /**
     * Reads objects of {@code type} by name or id with one {@code cat-file --batch}, handing each to
     * {@code sink} as it comes off the pipe: the output is never held whole, only one object at a time,
     * in an array of exactly its size. What the sink throws is rethrown here.
     */
    void readEach(List<String> names, String type, @Nullable ReplicaId replica, ObjectSink sink) {
        readEach(names, type, Integer.MAX_VALUE - 16, replica, sink);
    }

    /**
     * As {@link #readEach(List, String, ReplicaId, ObjectSink)}; an object over {@code maxBytes} is not
     * read but refused (a {@link StoreAccessException}).
     */
    void readEach(List<String> names, String type, long maxBytes, @Nullable ReplicaId replica, ObjectSink sink) {
        if (names.isEmpty()) {
            return;
        }
        StringBuilder in = new StringBuilder();
        names.forEach(n -> in.append(n).append('\n'));
        command(replica, List.of("cat-file", "--batch")).input(in.toString().getBytes(StandardCharsets.UTF_8))
                .read(stream -> {
                    java.io.BufferedInputStream out = new java.io.BufferedInputStream(stream, 64 * 1024);
                    for (int i = 0; i < names.size(); i++) {
                        String name = names.get(i);
                        String header = headerLine(out, replica, name);
                        if (header.endsWith(" missing")) {
                            sink.accept(i, null, null);
                            continue;
                        }
                        String[] parts = header.split(" ");
                        if (parts.length != 3 || !parts[1].equals(type) || !parts[2].matches("\\d{1,10}")
                                || Long.parseLong(parts[2]) > Integer.MAX_VALUE - 16) {
                            throw corrupt(replica, "unexpected cat-file header '" + header + "' for " + name);
                        }
                        if (Long.parseLong(parts[2]) > maxBytes) {
                            throw new StoreAccessException(store, replica, name + " is " + parts[2]
                                    + " bytes, over the limit of " + maxBytes + " bytes", null);
                        }
                        byte[] blob = out.readNBytes(Integer.parseInt(parts[2]));
                        if (blob.length != Integer.parseInt(parts[2]) || out.read() != '\n') {
                            throw corrupt(replica, "cat-file --batch output truncated in " + name);
                        }
                        sink.accept(i, parts[0], blob);
                    }
                });
    }

    /** One header line of {@code cat-file --batch} (at most 4 KB), without its newline. */
    private String headerLine(java.io.InputStream in, @Nullable ReplicaId replica, String name) throws IOException {
        java.io.ByteArrayOutputStream line = new java.io.ByteArrayOutputStream(128);
        int b;
        while ((b = in.read()) != '\n') {
            if (b < 0 || line.size() > 4096) {
                throw corrupt(replica, "cat-file --batch ended early, before " + name);
            }
            line.write(b);
        }
        return line.toString(StandardCharsets.UTF_8);
    }

    /**
     * One entry of a tree.
     *
     * @param mode its git mode ({@code 100644}, {@code 40000} ...)
     * @param id its object id
     * @param name its file name
     */
    record TreeEntry(String mode, String id, String name) {
        /** Whether it is a file (a blob), not a directory or a link. */
        boolean isFile() {
            return mode.equals("100644") || mode.equals("100755");
        }

        String type() {
            return isFile() ? "blob" : mode.equals("40000") ? "tree" : mode.equals("160000") ? "commit" : "link";
        }
    }

    /**
     * A commit and its commit time, as {@code rev-list --timestamp} lists it.
     *
     * @param id the commit
     * @param time its commit time
     */
    record CommitStamp(String id, java.time.Instant time) {
    }

    /**
     * The trees of {@code commits} (one {@code cat-file --batch}), in order; null for a commit the clone
     * does not have.
     */
    List<List<TreeEntry>> trees(List<String> commits, @Nullable ReplicaId replica) {
        List<String> names = new ArrayList<>();
        commits.forEach(c -> names.add(c + "^{tree}"));
        List<byte[]> raw = readObjects(names, "tree", replica);
        List<List<TreeEntry>> out = new ArrayList<>();
        for (int i = 0; i < raw.size(); i++) {
            out.add(raw.get(i) == null ? null : parseTree(raw.get(i), commits.get(i), replica));
        }
        return out;
    }

    /**
     * The trees named {@code names} ({@code <tree-ish>:<path>}, one {@code cat-file --batch}), in order;
     * null for one that is missing.
     */
    List<List<TreeEntry>> readTrees(List<String> names, @Nullable ReplicaId replica) {
        List<List<TreeEntry>> out = new ArrayList<>();
        readEach(names, "tree", replica, (i, id, content) -> out.add(content == null ? null
                : parseTree(content, Objects.requireNonNull(id, "an object read has its id"), replica)));
        return out;
    }

    /** Parses a raw tree object: entries of {@code <mode> <name>\0<binary id>}. */
    private List<TreeEntry> parseTree(byte[] tree, String commit, @Nullable ReplicaId replica) {
        int idLength = commit.length() / 2;
        List<TreeEntry> entries = new ArrayList<>();
        int at = 0;
        while (at < tree.length) {
            int sp = indexOf(tree, (byte) ' ', at);
            int nul = sp < 0 ? -1 : indexOf(tree, (byte) 0, sp);
            if (nul < 0 || nul + 1 + idLength > tree.length) {
                throw corrupt(replica, "malformed tree of " + commit);
            }
            String mode = new String(tree, at, sp - at, StandardCharsets.US_ASCII);
            String name = new String(tree, sp + 1, nul - sp - 1, StandardCharsets.UTF_8);
            String id = java.util.HexFormat.of().formatHex(tree, nul + 1, nul + 1 + idLength);
            entries.add(new TreeEntry(mode, id, name));
            at = nul + 1 + idLength;
        }
        return entries;
    }

    /**
     * Writes blobs ({@code hash-object -w --stdin-paths}, one process whatever their number) and returns
     * their ids in order; see {@link BlobBatch}.
     */
    List<String> writeBlobs(List<byte[]> contents, @Nullable ReplicaId replica) {
        if (contents.isEmpty()) {
            return List.of();
        }
        if (contents.size() == 1) {
            return List.of(hashObject(contents.get(0), replica));
        }
        try (BlobBatch batch = blobBatch(replica)) {
            contents.forEach(batch::add);
            return batch.write();
        }
    }

    /** A batch of blobs to write, each staged to a file as it is added; see {@link BlobBatch}. */
    BlobBatch blobBatch(@Nullable ReplicaId replica) {
        return new BlobBatch(replica);
    }

    /**
     * Blobs written with one {@code hash-object -w --stdin-paths}: each content goes to a {@code 0600} file
     * in a {@code 0700} directory of the clone when it is added (so the caller need not keep it), and
     * the files are deleted when the batch is closed.
     */
    final class BlobBatch implements AutoCloseable {
        private final @Nullable ReplicaId replica;
        private final Path dir = repo.resolve("crdt-blobs");
        private final List<Path> files = new ArrayList<>();

        private BlobBatch(@Nullable ReplicaId replica) {
            this.replica = replica;
        }

        /** Stages {@code content}. */
        void add(byte[] content) {
            try {
                if (files.isEmpty()) {
                    PrivateFiles.createDirectories(dir);
                }
                Path f = dir.resolve("b" + files.size());
                Files.deleteIfExists(f);
                Files.write(Files.createFile(f, java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
                        PrivateFiles.FILE_MODE)), content);
                files.add(f);
            } catch (IOException e) {
                throw new GitOperationError(store, replica, GitOperationError.Kind.FAILED, List.of("hash-object"), -1,
                        "cannot write blobs to " + dir + ": " + e, Duration.ZERO, repo, e);
            }
        }

        /** Writes the staged blobs; returns their ids in the order added. */
        List<String> write() {
            if (files.isEmpty()) {
                return List.of();
            }
            StringBuilder paths = new StringBuilder();
            files.forEach(f -> paths.append(f).append('\n'));
            String out = command(replica, List.of("hash-object", "-w", "--no-filters", "--stdin-paths"))
                    .input(paths.toString().getBytes(StandardCharsets.UTF_8)).run().out();
            List<String> ids = List.of(out.strip().split("\n"));
            if (ids.size() != files.size()) {
                throw corrupt(replica, "hash-object wrote " + ids.size() + " of " + files.size() + " blobs");
            }
            return ids;
        }

        @Override
        public void close() {
            for (Path f : files) {
                try {
                    Files.deleteIfExists(f);
                } catch (IOException e) {
                    log.debug("cannot remove {}: {}", f, e.toString());
                }
            }
        }
    }

    String hashObject(byte[] content, @Nullable ReplicaId replica) {
        return command(replica, List.of("hash-object", "-w", "--stdin")).input(content).run().out().strip();
    }

    String mktree(String entries, @Nullable ReplicaId replica) {
        return command(replica, List.of("mktree")).input(entries.getBytes(StandardCharsets.UTF_8)).run()
                .out().strip();
    }

    String commitTree(String tree, @Nullable String parent, String message, @Nullable ReplicaId replica) {
        List<String> args = new ArrayList<>(List.of("commit-tree", tree));
        if (parent != null) {
            args.add("-p");
            args.add(parent);
        }
        args.add("-m");
        args.add(message);
        return command(replica, args).run().out().strip();
    }

    boolean hasCommit(String sha, @Nullable ReplicaId replica) {
        return command(replica, List.of("cat-file", "-e", sha + "^{commit}")).result().exitCode() == 0;
    }

    /** Whether {@code ancestor} is {@code descendant} or one of its ancestors. */
    boolean isAncestor(String ancestor, String descendant, @Nullable ReplicaId replica) {
        GitProcess.Result r = command(replica, List.of("merge-base", "--is-ancestor", ancestor, descendant)).result();
        if (r.exitCode() == 0 || r.exitCode() == 1) {
            return r.exitCode() == 0;
        }
        throw error(r, replica);
    }

    int countCommits(String sha, @Nullable ReplicaId replica) {
        return Integer.parseInt(command(replica, List.of("rev-list", "--count", sha)).run()
                .out().strip());
    }

    /** Runs a push and returns its result, whatever the exit code; the caller interprets it. */
    GitProcess.Result push(List<String> args, @Nullable ReplicaId replica) {
        List<String> all = new ArrayList<>(List.of("push", "--porcelain", "--no-verify"));
        all.addAll(args);
        return command(replica, all).network().result();
    }

    /** A git command in the clone, to configure and run; see {@link Command}. */
    Command command(@Nullable ReplicaId replica, List<String> args) {
        return new Command(replica, args);
    }

    /**
     * One git command in the clone: its arguments, what it reads on stdin (nothing by default) and its
     * bound ({@link GitStoreOptions#timeout()}, or {@link GitStoreOptions#networkTimeout()} for one that
     * talks to the remote). {@link #run()} throws a classified {@link GitOperationError} on a non-zero
     * exit; {@link #result()} leaves the exit code to the caller.
     */
    final class Command {
        private final @Nullable ReplicaId replica;
        private final List<String> args;
        private byte @Nullable [] stdin;
        private boolean network;

        private Command(@Nullable ReplicaId replica, List<String> args) {
            this.replica = replica;
            this.args = List.copyOf(args);
        }

        /** Feeds {@code bytes} to its stdin. */
        Command input(byte[] bytes) {
            this.stdin = bytes;
            return this;
        }

        /** Bounds it by the network timeout: it fetches or pushes. */
        Command network() {
            this.network = true;
            return this;
        }

        /** Runs it; a non-zero exit is a classified {@link GitOperationError}. */
        GitProcess.Result run() {
            return LocalClone.this.run(repo, network ? options.networkTimeout() : options.timeout(), stdin, replica,
                    args);
        }

        /**
         * Runs it with its stdout going to {@code reader} as it comes; a non-zero exit is a classified
         * {@link GitOperationError}.
         */
        void read(GitProcess.OutputReader reader) {
            GitProcess.Result r = git.run(repo, network ? options.networkTimeout() : options.timeout(), stdin,
                    Map.of(), replica, args, reader);
            if (r.exitCode() != 0) {
                throw error(r, replica);
            }
        }

        /** Runs it and returns its result whatever the exit code. */
        GitProcess.Result result() {
            return git.run(repo, network ? options.networkTimeout() : options.timeout(), stdin, Map.of(), replica,
                    args);
        }
    }

    /** Runs a command and throws a classified {@link GitOperationError} on a non-zero exit. */
    GitProcess.Result run(Path dir, Duration timeout, byte @Nullable [] stdin, @Nullable ReplicaId replica,
            List<String> args) {
        GitProcess.Result r = git.run(dir, timeout, stdin, Map.of(), replica, args);
        if (r.exitCode() != 0) {
            throw error(r, replica);
        }
        return r;
    }

    GitOperationError error(GitProcess.Result r, @Nullable ReplicaId replica) {
        String text = r.stderr() + "\n" + new String(r.stdout(), 0, Math.min(r.stdout().length, GitProcess.STDERR_LIMIT),
                StandardCharsets.UTF_8);
        return new GitOperationError(store, replica, StderrClassifier.classify(text), r.args(), r.exitCode(),
                r.stderr().isBlank() ? text.strip() : r.stderr(), r.elapsed(), repo, null);
    }

    private GitOperationError corrupt(@Nullable ReplicaId replica, String what) {
        return new GitOperationError(store, replica, GitOperationError.Kind.CORRUPT, List.of("cat-file", "--batch"), 0,
                what, Duration.ZERO, repo, null);
    }

    private static int indexOf(byte[] a, byte b, int from) {
        for (int i = from; i < a.length; i++) {
            if (a[i] == b) {
                return i;
            }
        }
        return -1;
    }
}
