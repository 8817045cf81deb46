package dev.forge.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.forge.events.TaskEvent;
import dev.forge.task.TaskId;
import dev.forge.task.TaskStatus;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The NOTIFY payloads of the PostgreSQL event bus: one event, or a packed array of them. */
class EventCodecTest {

    private static final Instant AT = Instant.parse("2026-12-01T04:20:00.123456Z");
    private static final TaskId TASK = TaskId.of("codec");

    @Test
    void everyKindOfEvent_comesBackAsItWas_aloneOrPacked() {
        List<TaskEvent> events = List.of(
                new TaskEvent(TASK, TaskEvent.Type.STATUS, 2, TaskStatus.RUNNING, 0, null, List.of(), 0, AT),
                new TaskEvent(TASK, TaskEvent.Type.PROGRESS, 3, TaskStatus.RUNNING, 40, "compile \"main\"", List.of(), 0, AT),
                TaskEvent.logs(TASK, List.of("first", "", "caf\u00e9 \u20ac \\ \n"), 7, AT),
                new TaskEvent(TASK, TaskEvent.Type.DONE, 4, TaskStatus.COMPLETED, 100, null, List.of(), 0, AT));
        StringBuilder packed = new StringBuilder("[");
        for (int i = 0; i < events.size(); i++) {
            String one = EventCodec.encode(events.get(i), 1_000 + i);
            assertThat(EventCodec.decodeAll(one)).containsExactly(events.get(i));
            packed.append(i == 0 ? "" : ",").append(one);
        }
        packed.append(']');

        assertThat(EventCodec.decodeAll(packed.toString())).containsExactlyElementsOf(events);
    }

    @Test
    void equalEvents_makeDifferentPayloads_bySequence() {
        TaskEvent event = new TaskEvent(TASK, TaskEvent.Type.STATUS, 2, TaskStatus.RUNNING, 0, null, List.of(), 0, AT);

        assertThat(EventCodec.encode(event, 1)).isNotEqualTo(EventCodec.encode(event, 2));
    }

    @Test
    void notAnEvent_isRefused() {
        for (String payload : List.of("", "42", "{\"i\":\"codec\"}", "[{\"y\":\"NOPE\"}]", "{not json")) {
            assertThatThrownBy(() -> EventCodec.decodeAll(payload)).as(payload)
                    .isInstanceOf(IllegalArgumentException.class);
        }
    }
}
