package dev.forge.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.forge.events.TaskEvent;
import dev.forge.task.TaskId;
import dev.forge.task.TaskStatus;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Events survive the streamed JSON both ways, with and without their optional fields. */
class EventCodecTest {

    private static final Instant AT = Instant.parse("2026-11-30T12:51:17.123456789Z");

    private final EventCodec codec = new EventCodec(new ObjectMapper());

    @Test
    void statusEvent_roundTrips() throws JsonProcessingException {
        TaskEvent event = new TaskEvent(TaskId.of("t1"), TaskEvent.Type.STATUS, 3, TaskStatus.RUNNING, 40,
                "compiling \"core\"", List.of(), 0, AT);

        assertThat(codec.read(codec.write(event))).isEqualTo(event);
    }

    @Test
    void logEvent_withoutStatusOrStep_roundTrips() throws JsonProcessingException {
        TaskEvent event = new TaskEvent(TaskId.of("t2"), TaskEvent.Type.LOG, 0, null, 0, null,
                List.of("line one", "", "línea ✓"), 12, Instant.EPOCH);

        assertThat(codec.read(codec.write(event))).isEqualTo(event);
    }

    @Test
    void read_skipsFieldsItDoesNotKnow_andNullsAsAbsent() throws JsonProcessingException {
        String json = "{\"id\":\"t3\",\"extra\":{\"a\":[1,{\"b\":2}]},\"type\":\"DONE\",\"v\":7,"
                + "\"status\":\"COMPLETED\",\"step\":null,\"more\":[\"x\"],\"last\":5,\"at\":\"2026-11-30T12:00:00Z\"}";

        assertThat(codec.read(json)).isEqualTo(new TaskEvent(TaskId.of("t3"), TaskEvent.Type.DONE, 7,
                TaskStatus.COMPLETED, 0, null, List.of(), 5, Instant.parse("2026-11-30T12:00:00Z")));
    }

    @Test
    void read_notAnObject_fails() {
        assertThatThrownBy(() -> codec.read("[1,2]")).isInstanceOf(JsonProcessingException.class);
        assertThatThrownBy(() -> codec.read("{\"id\":")).isInstanceOf(JsonProcessingException.class);
    }
}
