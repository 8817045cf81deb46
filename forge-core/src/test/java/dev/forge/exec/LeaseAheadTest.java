package dev.forge.exec;

import static org.assertj.core.api.Assertions.assertThat;

import dev.forge.queue.Lease;
import dev.forge.store.LeasedTask;
import dev.forge.task.TaskChanges;
import dev.forge.task.TaskId;
import dev.forge.task.TaskKind;
import dev.forge.task.TaskRecord;
import dev.forge.task.TaskStatus;
import java.time.Instant;
import java.util.List;
import java.util.stream.IntStream;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LeaseAheadTest {

    private static final long MS = 1_000_000;

    /** A LeaseAhead for {@code workers} that has measured one attempt and one lease call. */
    private static LeaseAhead measured(int workers, long maxWaitNanos, long attemptNanos, long leaseNanos) {
        LeaseAhead ahead = new LeaseAhead(workers, maxWaitNanos);
        ahead.attemptTook(attemptNanos);
        ahead.leaseTook(leaseNanos);
        return ahead;
    }

    private static LeasedTask job(int n) {
        return LeasedTask.notStarted(new Lease("builds", "job-" + n, "task-" + n, "token-" + n, 1,
                Instant.parse("2026-12-01T00:00:00Z")));
    }

    @Test
    void wanted_isNothing_untilBothDurationsAreMeasured() {
        LeaseAhead ahead = new LeaseAhead(20, 200 * MS);
        assertThat(ahead.wanted()).isZero();
        ahead.attemptTook(2 * MS);
        assertThat(ahead.wanted()).isZero();
        ahead.leaseTook(2 * MS);
        assertThat(ahead.wanted()).isEqualTo(80); // the cap: 4 lease calls x 20 workers
    }

    @Test
    void wanted_isTheAttemptsTheWorkersEndDuringFourLeases_atMostFourTimesTheWorkers_lessThoseHeld() {
        LeaseAhead ahead = measured(8, 200 * MS, 10 * MS, 5 * MS);
        assertThat(ahead.wanted()).isEqualTo(16); // 8 workers x 4 x 5 ms / 10 ms
        ahead.hold(List.of(job(1), job(2), job(3)), 0);
        assertThat(ahead.wanted()).isEqualTo(13);

        LeaseAhead fast = measured(8, 200 * MS, 1 * MS, 50 * MS);
        assertThat(fast.wanted()).isEqualTo(32);
    }

    @Test
    void wanted_isNothing_forJobsThatRunLongerThanALeaseByFar() {
        LeaseAhead ahead = measured(20, 200 * MS, 60_000 * MS, 5 * MS);
        assertThat(ahead.wanted()).isZero();
    }

    @Test
    void wanted_isNothing_whenLeasingAheadIsOff() {
        LeaseAhead off = measured(20, 0, MS, 10 * MS);
        assertThat(off.wanted()).isZero();
    }

    @Test
    void low_whileAtMostHalfOfWhatTheWorkersNeedIsHeld_neverWhenOffOrUnmeasuredOrForLongJobs() {
        LeaseAhead ahead = new LeaseAhead(8, 200 * MS);
        assertThat(ahead.low()).as("unmeasured").isFalse();
        ahead.attemptTook(10 * MS);
        ahead.leaseTook(5 * MS); // the workers need 16 held during four leases
        assertThat(ahead.low()).as("none held").isTrue();
        ahead.hold(IntStream.rangeClosed(1, 9).mapToObj(LeaseAheadTest::job).toList(), 0);
        assertThat(ahead.low()).as("9 of 16 held").isFalse();
        ahead.takeOne();
        assertThat(ahead.low()).as("8 of 16 held").isTrue();

        LeaseAhead off = measured(8, 0, MS, 10 * MS);
        assertThat(off.low()).as("leasing ahead off").isFalse();

        LeaseAhead slow = measured(8, 200 * MS, 60_000 * MS, 5 * MS);
        assertThat(slow.low()).as("jobs that run for a minute").isFalse();
    }

    @Test
    void theAverages_followNewDurations() {
        LeaseAhead ahead = new LeaseAhead(10, 200 * MS);
        ahead.leaseTook(10 * MS);
        ahead.attemptTook(10 * MS);
        assertThat(ahead.wanted()).isEqualTo(40);
        for (int i = 0; i < 100; i++) {
            ahead.attemptTook(1_000 * MS); // the jobs became long
        }
        assertThat(ahead.wanted()).isZero();
    }

    @Test
    void heldJobs_areTakenOldestFirst() {
        LeaseAhead ahead = new LeaseAhead(4, 200 * MS);
        assertThat(ahead.take(3)).isEmpty();
        assertThat(ahead.takeOne()).isNull();
        ahead.hold(List.of(job(1), job(2)), 0);
        ahead.hold(List.of(job(3)), 1);
        assertThat(ahead.holdsAny()).isTrue();
        assertThat(ahead.takeOne()).isEqualTo(job(1));
        assertThat(ahead.take(5)).containsExactly(job(2), job(3));
        assertThat(ahead.holdsAny()).isFalse();
    }

    @Test
    void overdue_removesOnlyThoseThatWaitedLongerThanTheLimit() {
        LeaseAhead ahead = new LeaseAhead(4, 200 * MS);
        ahead.hold(List.of(job(1)), 0);
        ahead.hold(List.of(job(2)), 150 * MS);
        assertThat(ahead.overdue(200 * MS)).isEmpty();
        assertThat(ahead.overdue(201 * MS)).containsExactly(job(1));
        assertThat(ahead.overdue(400 * MS)).containsExactly(job(2));
        assertThat(ahead.holdsAny()).isFalse();
    }

    @Test
    void close_returnsEveryHeldJob_andLaterHoldsAreRefused() {
        LeaseAhead ahead = new LeaseAhead(4, 200 * MS);
        ahead.hold(List.of(job(1), job(2)), 0);
        assertThat(ahead.close()).containsExactly(job(1), job(2));
        assertThat(ahead.hold(List.of(job(3)), 0)).isFalse();
        assertThat(ahead.take(4)).isEmpty();
    }

    @Test
    void unstarted_isTheTaskAsItWaitedBeforeTheLeaseStartedIt() {
        Instant created = Instant.parse("2026-12-01T00:00:00Z");
        TaskRecord waiting = TaskRecord.create(new TaskId("t-1"), TaskKind.BUILD, "alice", "demo", "goal",
                Map.of("flavor", "fast"), List.of(), 3, created);
        TaskRecord started = waiting.start(created.plusSeconds(1));
        Instant back = created.plusSeconds(2);

        TaskRecord unstarted = Dispatcher.unstarted(started, back);

        assertThat(TaskChanges.isValid(started, unstarted)).isTrue();
        assertThat(unstarted).isEqualTo(new TaskRecord(waiting.id(), waiting.kind(), waiting.owner(),
                waiting.projectName(), waiting.goal(), waiting.parameters(), waiting.analysisTypes(),
                TaskStatus.INITIALIZING, 0, null, 0, 3, Map.of(), null, created, back, null, null, 2));
    }
}
