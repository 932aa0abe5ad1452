package io.github.crdtmemory.bench;

import io.github.crdtmemory.core.LwwMap;
import io.github.crdtmemory.core.Register;
import io.github.crdtmemory.core.ReplicaId;
import io.github.crdtmemory.core.Stamp;
import io.github.crdtmemory.memory.AtomKey;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The join of two replica states of observation atoms, at several sizes and overlaps.
 *
 * <pre>{@code
 * ./mvnw -B -q -pl crdt-bench -am package -DskipTests
 * java -jar crdt-bench/target/benchmarks.jar JoinBenchmark -f 1 -wi 3 -i 5
 * }</pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class JoinBenchmark {
    /** Atoms per replica. */
    @Param({"10000", "100000", "1000000"})
    public int atoms;

    /** Percentage of keys the two replicas share (with different stamps). */
    @Param({"0", "50", "100"})
    public int overlap;

    private LwwMap<AtomKey> left;
    private LwwMap<AtomKey> right;

    /** Builds two replicas: {@code overlap}% of keys shared, the rest disjoint. */
    @Setup
    public void setUp() {
        left = replica(ReplicaId.of("left"), 0, 1);
        int shared = (int) ((long) atoms * overlap / 100);
        right = replica(ReplicaId.of("right"), atoms - shared, 2);
    }

    private LwwMap<AtomKey> replica(ReplicaId replica, int firstKey, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        LwwMap.Builder<AtomKey> b = LwwMap.builder();
        for (int i = 0; i < atoms; i++) {
            int k = firstKey + i;
            AtomKey key = new AtomKey.ObservationKey("entity-" + (k / 10), "observation number " + k);
            b.put(key, Register.live(new Stamp(1_760_000_000_000L + random.nextInt(1000), random.nextInt(4), replica), ""));
        }
        return b.build();
    }

    /** Joins the two replicas. */
    @Benchmark
    public LwwMap<AtomKey> join() {
        return left.join(right);
    }

    /** Joins eight replicas in one pass. */
    @Benchmark
    public LwwMap<AtomKey> joinAllOfEight() {
        List<LwwMap<AtomKey>> maps = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            maps.add(left);
            maps.add(right);
        }
        return LwwMap.joinAll(maps);
    }
}
