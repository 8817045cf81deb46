package dev.forge.queue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;

/**
 * A reproducible random mix of enqueues (four groups), batch enqueues, leases, acks and releases,
 * to compare an adapter's lease order with the in-memory reference. Every release sits between two leases, so
 * the jobs that became visible before it are ranked before it: backends that count time in
 * milliseconds then order them as the reference does, whose clock is finer.
 */
public final class FairnessScript {

    private static final Duration VISIBILITY = Duration.ofSeconds(60);

    private enum Op { ENQUEUE, ENQUEUE_ALL, LEASE, ACK, RELEASE }

    private record Step(Op op, int arg) {
    }

    private final List<Step> steps;

    private FairnessScript(List<Step> steps) {
        this.steps = steps;
    }

    /** {@code count} steps drawn from {@code seed}, then leases until the queue is empty. */
    public static FairnessScript random(long seed, int count) {
        Random random = new Random(seed);
        List<Step> steps = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            int roll = random.nextInt(100);
            Op op = roll < 40 ? Op.ENQUEUE : roll < 50 ? Op.ENQUEUE_ALL : roll < 80 ? Op.LEASE : roll < 90 ? Op.ACK
                    : Op.RELEASE;
            steps.add(new Step(op, random.nextInt(op == Op.ENQUEUE ? 4 : 1_000)));
        }
        return new FairnessScript(steps);
    }

    /** Runs the script on {@code queue}; returns the payloads leased, in order ("-" for none). */
    public List<String> runOn(JobQueue queue, String name) throws InterruptedException {
        List<String> leased = new ArrayList<>();
        List<Lease> held = new ArrayList<>();
        int enqueued = 0;
        for (Step step : steps) {
            switch (step.op()) {
                case ENQUEUE -> queue.enqueue(name, "g" + step.arg() + "-" + enqueued++, null, "g" + step.arg());
                case ENQUEUE_ALL -> {
                    // 2-4 jobs, their groups drawn from the step's number (some twice)
                    List<String> payloads = new ArrayList<>();
                    List<String> groups = new ArrayList<>();
                    for (int k = 0; k < 2 + step.arg() % 3; k++) {
                        String group = "g" + (step.arg() / (k + 1)) % 4;
                        payloads.add(group + "-" + enqueued++);
                        groups.add(group);
                    }
                    queue.enqueueAll(name, payloads, null, groups);
                }
                case LEASE -> lease(queue, name, leased, held);
                case ACK -> {
                    if (!held.isEmpty()) {
                        check(queue.ack(held.remove(step.arg() % held.size())), "ack");
                    }
                }
                case RELEASE -> {
                    lease(queue, name, leased, held);
                    if (!held.isEmpty()) {
                        check(queue.release(held.remove(step.arg() % held.size()), null), "release");
                    }
                    lease(queue, name, leased, held);
                }
                default -> throw new IllegalStateException(step.op().name());
            }
        }
        while (lease(queue, name, leased, held)) {
            // drain
        }
        for (Lease lease : held) {
            check(queue.ack(lease), "ack");
        }
        return leased;
    }

    private static boolean lease(JobQueue queue, String name, List<String> leased, List<Lease> held)
            throws InterruptedException {
        Optional<Lease> lease = queue.lease(name, VISIBILITY, Duration.ZERO);
        leased.add(lease.map(Lease::payload).orElse("-"));
        lease.ifPresent(held::add);
        return lease.isPresent();
    }

    private static void check(boolean done, String what) {
        if (!done) {
            throw new AssertionError(what + " of a held lease was refused");
        }
    }
}
