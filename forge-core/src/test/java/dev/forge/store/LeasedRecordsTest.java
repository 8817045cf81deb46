package dev.forge.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.forge.task.TaskId;
import dev.forge.task.TaskKind;
import dev.forge.task.TaskRecord;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class LeasedRecordsTest {

    private final AtomicLong now = new AtomicLong();
    private final LeasedRecords leased = new LeasedRecords(now::get);

    @Test
    void take_handsARecordOutOnce() {
        TaskRecord task = task("t1");
        leased.put(task);

        assertThat(leased.take(task.id())).contains(task);
        assertThat(leased.take(task.id())).isEmpty();
    }

    @Test
    void take_afterForget_isEmpty() {
        TaskRecord task = task("t1");
        leased.put(task);

        leased.forget(task.id());

        assertThat(leased.take(task.id())).isEmpty();
    }

    @Test
    void take_ofARecordOlderThanTheMaxAge_isEmpty() {
        TaskRecord task = task("t1");
        leased.put(task);

        now.addAndGet(LeasedRecords.MAX_AGE_NANOS + 1);

        assertThat(leased.take(task.id())).isEmpty();
    }

    @Test
    void put_whenFull_dropsOnlyOldRecords_andKeepsNoMoreThanTheCap() {
        for (int i = 0; i < LeasedRecords.MAX_KEPT; i++) {
            leased.put(task("old" + i));
        }
        TaskRecord over = task("over");
        leased.put(over);
        assertThat(leased.take(over.id())).as("full of recent records: not kept").isEmpty();
        assertThat(leased.take(TaskId.of("old0"))).isPresent();

        now.addAndGet(LeasedRecords.MAX_AGE_NANOS + 1);
        TaskRecord fresh = task("fresh");
        leased.put(task("filler")); // one place was free again: taken without a sweep
        leased.put(fresh);

        assertThat(leased.take(fresh.id())).as("the old ones made room").contains(fresh);
        assertThat(leased.take(TaskId.of("old1"))).isEmpty();
    }

    private static TaskRecord task(String id) {
        return TaskRecord.create(TaskId.of(id), TaskKind.BUILD, "alice", "demo", "build it", Map.of(),
                List.of(), 3, Instant.parse("2026-11-30T00:00:00Z"));
    }
}
