package dev.forge.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.forge.InfrastructureException;
import dev.forge.task.TaskError;
import dev.forge.task.TaskId;
import dev.forge.task.TaskKind;
import dev.forge.task.TaskRecord;
import dev.forge.task.TaskStatus;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The streamed record JSON: every field back as written, and what this code did not write refused. */
class TaskCodecTest {

    private static final Instant AT = Instant.parse("2026-11-30T12:51:17.123456789Z");

    private final TaskCodec codec = new TaskCodec(new ObjectMapper());

    @Test
    void everyField_roundTrips() {
        TaskRecord failed = new TaskRecord(TaskId.of("t1"), TaskKind.ANALYSIS, "alice", "demo", "verify",
                Map.of("flavor", "mint", "empty", ""), List.of("quality", "security"), TaskStatus.FAILED, 40,
                "compiling \"core\"", 2, 3, Map.of("count", 3, "nested", List.of(Map.of("a", true))),
                new TaskError("build_failed", "exit 1"), AT, AT.plusSeconds(5), AT.plusSeconds(1),
                AT.plusSeconds(5), 7);

        assertThat(codec.read(codec.write(failed))).isEqualTo(failed);
    }

    @Test
    void newRecord_roundTrips() {
        TaskRecord created = TaskRecord.create(TaskId.of("t2"), TaskKind.BUILD, "bob", "demo", "", Map.of(),
                List.of(), 1, Instant.EPOCH);

        assertThat(codec.read(codec.write(created))).isEqualTo(created);
    }

    @Test
    void unknownFields_areSkipped() {
        String json = codec.write(TaskRecord.create(TaskId.of("t3"), TaskKind.BUILD, "bob", "demo", "", Map.of(),
                List.of(), 1, AT));
        String withMore = "{\"later\":{\"x\":[1,{\"y\":null}]}," + json.substring(1);

        assertThat(codec.read(withMore).id()).isEqualTo(TaskId.of("t3"));
    }

    @Test
    void trailingText_orAMissingField_isAnInfrastructureFault() {
        String json = codec.write(TaskRecord.create(TaskId.of("t4"), TaskKind.BUILD, "bob", "demo", "", Map.of(),
                List.of(), 1, AT));

        assertThatThrownBy(() -> codec.read(json + "{}")).isInstanceOf(InfrastructureException.class);
        assertThatThrownBy(() -> codec.read(json.replace("\"owner\"", "\"someone\"")))
                .isInstanceOf(InfrastructureException.class);
        assertThatThrownBy(() -> codec.read("[]")).isInstanceOf(InfrastructureException.class);
    }
}
