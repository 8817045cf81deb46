package dev.forge.queue;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * The fairness bound of start-time fair queuing, over any sequence of enqueues (up to five
 * groups) and leases, on the in-memory queue (the adapters are held to the same order by
 * {@code JobQueueContract#fairOrder_matchesTheReferenceQueue_forRandomSequences}).
 *
 * <p>Why the bound holds: a group's waiting jobs have consecutive ranks, the first at most one
 * above the queue's virtual time V, so a job that is p-th in its group's line when enqueued has
 * rank at most V + p; another group's jobs get strictly increasing ranks, none below V, and
 * only those ranked at or below the job's rank can be leased before it: at most p + 1. A group
 * that never had a job starts at V itself: at most one job of each other group goes first.
 */
class FairQueueProperties {

    /** An enqueue for group 0-4, or -1: a lease (acked at once: it stands for a task that ran). */
    @Provide
    Arbitrary<List<Integer>> operations() {
        return Arbitraries.integers().between(-1, 4).list().ofMinSize(1).ofMaxSize(300);
    }

    @Property(tries = 300)
    void noJobWaitsBehindMoreThanOneJobOfAnotherGroupPerJobOfItsOwnGroupAhead(
            @ForAll("operations") List<Integer> operations) throws InterruptedException {
        Run run = Run.of(operations);
        for (Job job : run.jobs) {
            for (Map.Entry<String, Integer> other : job.passedBy.entrySet()) {
                assertThat(other.getValue())
                        .as("%s (%d-th of its group in line) was passed by %s", job.payload,
                                job.placeInLine, other.getKey())
                        .isLessThanOrEqualTo(job.placeInLine + 1);
            }
        }
    }

    @Property(tries = 300)
    void aGroupsFirstJobWaitsBehindAtMostOneJobOfEachOtherGroup(
            @ForAll("operations") List<Integer> operations) throws InterruptedException {
        Run run = Run.of(operations);
        for (Job job : run.jobs) {
            if (job.groupsFirst) {
                assertThat(job.passedBy.values()).as("jobs passing %s, by group", job.payload)
                        .allSatisfy(count -> assertThat(count).isLessThanOrEqualTo(1));
            }
        }
    }

    /** What happened to one job while it waited. */
    private static final class Job {
        final String payload;
        final String group;
        final int placeInLine;
        final boolean groupsFirst;
        final Map<String, Integer> passedBy = new HashMap<>();

        Job(String payload, String group, int placeInLine, boolean groupsFirst) {
            this.payload = payload;
            this.group = group;
            this.placeInLine = placeInLine;
            this.groupsFirst = groupsFirst;
        }
    }

    private record Run(List<Job> jobs) {

        static Run of(List<Integer> operations) throws InterruptedException {
            List<Job> all = new ArrayList<>();
            Map<String, Job> waiting = new HashMap<>();
            Set<String> seen = new HashSet<>();
            try (InMemoryJobQueue queue = new InMemoryJobQueue()) {
                for (int op : operations) {
                    if (op >= 0) {
                        String group = "g" + op;
                        String payload = group + "-" + all.size();
                        long ahead = waiting.values().stream().filter(j -> j.group.equals(group)).count();
                        Job job = new Job(payload, group, (int) ahead + 1, seen.add(group));
                        all.add(job);
                        waiting.put(payload, job);
                        queue.enqueue("q", payload, null, group);
                    } else {
                        leaseOne(queue, waiting);
                    }
                }
                while (!waiting.isEmpty()) {
                    leaseOne(queue, waiting);
                }
            }
            return new Run(all);
        }

        private static void leaseOne(InMemoryJobQueue queue, Map<String, Job> waiting)
                throws InterruptedException {
            Optional<Lease> lease = queue.lease("q", Duration.ofMinutes(1), Duration.ZERO);
            if (lease.isEmpty()) {
                assertThat(waiting).as("a waiting job but nothing to lease").isEmpty();
                return;
            }
            assertThat(queue.ack(lease.get())).isTrue();
            Job leased = waiting.remove(lease.get().payload());
            for (Job other : waiting.values()) {
                if (!other.group.equals(leased.group)) {
                    other.passedBy.merge(leased.group, 1, Integer::sum);
                }
            }
        }
    }
}
