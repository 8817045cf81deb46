package dev.forge.events;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.forge.Internal;
import dev.forge.task.Instants;
import dev.forge.task.TaskId;
import dev.forge.task.TaskStatus;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * A {@link TaskEvent} as the fields of a JSON object, streamed both ways (no tree of nodes: every
 * job sends three events, and a node listening to every task reads them all). The shared
 * adapters' event buses write their messages with it, each under its own field names.
 */
@Internal
public final class TaskEventJson {

    /** The field names of one wire format. */
    public record Names(String id, String type, String version, String status, String progress, String step,
            String lines, String lastLine, String at) {
    }

    private TaskEventJson() {
    }

    /** Writes the event's fields into the JSON object {@code json} is in. */
    public static void writeFields(JsonGenerator json, TaskEvent event, Names names) throws IOException {
        json.writeStringField(names.id(), event.taskId().value());
        json.writeStringField(names.type(), event.type().name());
        json.writeNumberField(names.version(), event.version());
        if (event.status() != null) {
            json.writeStringField(names.status(), event.status().name());
        }
        json.writeNumberField(names.progress(), event.progress());
        if (event.step() != null) {
            json.writeStringField(names.step(), event.step());
        }
        if (!event.lines().isEmpty()) {
            json.writeArrayFieldStart(names.lines());
            for (String line : event.lines()) {
                json.writeString(line);
            }
            json.writeEndArray();
        }
        json.writeNumberField(names.lastLine(), event.lastLine());
        json.writeStringField(names.at(), Instants.format(event.at()));
    }

    /**
     * Reads the event of the object whose START_OBJECT {@code json} is on, and leaves it on the
     * object's END_OBJECT; fields of other names are skipped.
     *
     * @throws IllegalArgumentException (or a parse failure) if the object is no event
     */
    public static TaskEvent readObject(JsonParser json, Names names) throws IOException {
        String id = null;
        String type = null;
        long version = 0;
        TaskStatus status = null;
        int progress = 0;
        String step = null;
        List<String> lines = new ArrayList<>();
        long lastLine = 0;
        Instant at = null;
        while (json.nextToken() == JsonToken.FIELD_NAME) {
            String field = json.currentName();
            JsonToken value = json.nextToken();
            boolean isNull = value == JsonToken.VALUE_NULL;
            if (field.equals(names.id())) {
                id = json.getValueAsString();
            } else if (field.equals(names.type())) {
                type = json.getValueAsString();
            } else if (field.equals(names.version())) {
                version = json.getValueAsLong();
            } else if (field.equals(names.status())) {
                status = isNull ? null : TaskStatus.valueOf(json.getValueAsString());
            } else if (field.equals(names.progress())) {
                progress = json.getValueAsInt();
            } else if (field.equals(names.step())) {
                step = isNull ? null : json.getValueAsString();
            } else if (field.equals(names.lines())) {
                while (value == JsonToken.START_ARRAY && json.nextToken() != JsonToken.END_ARRAY) {
                    lines.add(json.getValueAsString());
                }
            } else if (field.equals(names.lastLine())) {
                lastLine = json.getValueAsLong();
            } else if (field.equals(names.at())) {
                at = Instants.parse(json.getValueAsString());
            } else {
                json.skipChildren();
            }
        }
        if (id == null || type == null || at == null) {
            throw new IllegalArgumentException("not a task event: no " + (id == null ? names.id()
                    : type == null ? names.type() : names.at()));
        }
        return new TaskEvent(TaskId.of(id), TaskEvent.Type.valueOf(type), version, status, progress, step, lines,
                lastLine, at);
    }
}
