package dev.forge.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import dev.forge.store.BoundedLog;
import dev.forge.store.LogSlice;
import dev.forge.task.TaskId;
import dev.forge.task.TaskKind;
import dev.forge.task.TaskRecord;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The database's batched log append against {@link BoundedLog}, the reference: random batches of
 * random lines (multi-byte characters, lines longer than the whole tail) under a small cap must
 * leave exactly the log that appending them one by one to a BoundedLog leaves.
 */
class PostgresLogsTest {

    @RegisterExtension
    static final OneDatabasePerClass DATABASE = new OneDatabasePerClass();

    @Test
    void append_randomBatches_keepsWhatBoundedLogKeeps() {
        Random random = new Random(20261129L);
        for (int round = 0; round < 20; round++) {
            int cap = 16 + random.nextInt(300);
            PostgresTaskStore store = new PostgresTaskStore(DATABASE.get().sql(), cap);
            TaskId id = TaskId.of("log" + round);
            store.create(TaskRecord.create(id, TaskKind.BUILD, "alice", "demo", "", Map.of(), List.of(),
                    1, Instant.parse("2026-01-01T00:00:00Z")));
            BoundedLog reference = new BoundedLog(cap);
            List<String> all = new ArrayList<>();
            int batches = 1 + random.nextInt(12);
            for (int b = 0; b < batches; b++) {
                List<String> batch = new ArrayList<>();
                int size = random.nextInt(8);
                for (int i = 0; i < size; i++) {
                    batch.add(line(random, cap));
                }
                long last = store.appendLogs(id, batch);
                batch.forEach(reference::append);
                all.addAll(batch);
                assertThat(last).as("round %d batch %d", round, b).isEqualTo(all.size());
            }
            String expected = reference.read();
            assertThat(store.readLog(id)).as("round %d, cap %d, lines %s", round, cap, all)
                    .isEqualTo(expected);
            LogSlice whole = store.readLogAfter(id, 0);
            assertThat(whole.totalLines()).isEqualTo(all.size());
        }
    }

    @Test
    void appendLogs_unknownTask_isIgnored() {
        PostgresTaskStore store = new PostgresTaskStore(DATABASE.get().sql(), 1024);
        TaskId ghost = TaskId.of("ghost");

        assertThat(store.appendLogs(ghost, List.of("a", "b"))).isZero();
        assertThat(store.readLog(ghost)).isEmpty();
    }

    @Test
    void appendLogs_nulCharacter_isStoredAsReplacementCharacter() {
        PostgresTaskStore store = new PostgresTaskStore(DATABASE.get().sql(), 1024);
        TaskId id = TaskId.of("nul");
        store.create(TaskRecord.create(id, TaskKind.BUILD, "alice", "demo", "", Map.of(), List.of(),
                1, Instant.parse("2026-01-01T00:00:00Z")));

        store.appendLogs(id, List.of("a\u0000b"));

        assertThat(store.readLog(id)).isEqualTo("a\uFFFDb\n");
    }

    private static String line(Random random, int cap) {
        int kind = random.nextInt(10);
        int length = kind == 0 ? cap + random.nextInt(cap) : random.nextInt(Math.max(1, cap / 4));
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < length; i++) {
            int pick = random.nextInt(20);
            text.append(pick == 0 ? "é" : pick == 1 ? "✓" : pick == 2 ? "😀" : String.valueOf((char) ('a' + pick)));
        }
        return text.toString();
    }
}
