package dev.forge.postgres;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.forge.events.TaskEvent;
import dev.forge.task.Instants;
import dev.forge.task.TaskId;
import dev.forge.task.TaskStatus;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Task events as compact JSON: a NOTIFY payload is a JSON array of them (a packed batch, see
 * {@link EventPublisher}) or one (a spilled row). Each event carries its publisher's sequence
 * number, which decoding ignores: it only keeps two equal payloads sent in one transaction from
 * being folded into one notification. Streamed both ways (no tree of nodes): every job sends
 * three events, and a node listening to every task reads them all.
 */
final class EventCodec {

    private static final JsonFactory JSON = new JsonFactory();

    private EventCodec() {
    }

    static String encode(TaskEvent event, long sequence) {
        StringWriter out = new StringWriter(160);
        try (JsonGenerator json = JSON.createGenerator(out)) {
            json.writeStartObject();
            json.writeNumberField("q", sequence);
            json.writeStringField("i", event.taskId().value());
            json.writeStringField("y", event.type().name());
            json.writeNumberField("v", event.version());
            if (event.status() != null) {
                json.writeStringField("s", event.status().name());
            }
            json.writeNumberField("p", event.progress());
            if (event.step() != null) {
                json.writeStringField("st", event.step());
            }
            if (!event.lines().isEmpty()) {
                json.writeArrayFieldStart("l");
                for (String line : event.lines()) {
                    json.writeString(line);
                }
                json.writeEndArray();
            }
            json.writeNumberField("n", event.lastLine());
            json.writeStringField("a", Instants.format(event.at()));
            json.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a StringWriter does not fail
        }
        return out.toString();
    }

    /** The events of a payload: a JSON array of events (a packed batch) or one event. */
    static List<TaskEvent> decodeAll(String payload) {
        try (JsonParser json = JSON.createParser(payload)) {
            JsonToken first = json.nextToken();
            if (first == JsonToken.START_OBJECT) {
                return List.of(event(json));
            }
            if (first != JsonToken.START_ARRAY) {
                throw new IllegalArgumentException("not a task event");
            }
            List<TaskEvent> events = new ArrayList<>();
            while (json.nextToken() == JsonToken.START_OBJECT) {
                events.add(event(json));
            }
            return events;
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException("not a task event", e);
        }
    }

    /** The event whose START_OBJECT {@code json} is on; leaves it on the END_OBJECT. */
    private static TaskEvent event(JsonParser json) throws IOException {
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
            switch (field) {
                case "i" -> id = json.getValueAsString();
                case "y" -> type = json.getValueAsString();
                case "v" -> version = json.getValueAsLong();
                case "s" -> status = isNull ? null : TaskStatus.valueOf(json.getValueAsString());
                case "p" -> progress = json.getValueAsInt();
                case "st" -> step = isNull ? null : json.getValueAsString();
                case "l" -> {
                    while (value == JsonToken.START_ARRAY && json.nextToken() != JsonToken.END_ARRAY) {
                        lines.add(json.currentToken() == JsonToken.VALUE_NULL ? null : json.getValueAsString());
                    }
                }
                case "n" -> lastLine = json.getValueAsLong();
                case "a" -> at = Instants.parse(json.getValueAsString());
                default -> json.skipChildren(); // "q", and fields a later version may add
            }
        }
        return new TaskEvent(TaskId.of(id), TaskEvent.Type.valueOf(type), version, status, progress, step, lines,
                lastLine, at);
    }
}
