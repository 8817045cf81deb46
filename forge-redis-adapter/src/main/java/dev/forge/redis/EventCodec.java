package dev.forge.redis;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.ObjectMapper;
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
 * Task events as compact JSON messages on the pub/sub channels. Streamed both ways (no tree of
 * nodes): every job sends three events, and a node listening to every task reads them all.
 */
final class EventCodec {

    private final ObjectMapper mapper;

    EventCodec(ObjectMapper mapper) {
        this.mapper = mapper;
    }

    String write(TaskEvent e) {
        StringWriter out = new StringWriter(160);
        try (JsonGenerator g = mapper.getFactory().createGenerator(out)) {
            g.writeStartObject();
            g.writeStringField("id", e.taskId().value());
            g.writeStringField("type", e.type().name());
            g.writeNumberField("v", e.version());
            if (e.status() != null) {
                g.writeStringField("status", e.status().name());
            }
            g.writeNumberField("progress", e.progress());
            if (e.step() != null) {
                g.writeStringField("step", e.step());
            }
            if (!e.lines().isEmpty()) {
                g.writeArrayFieldStart("lines");
                for (String line : e.lines()) {
                    g.writeString(line);
                }
                g.writeEndArray();
            }
            g.writeNumberField("last", e.lastLine());
            g.writeStringField("at", Instants.format(e.at()));
            g.writeEndObject();
        } catch (IOException e1) {
            throw new IllegalArgumentException("event cannot be written as JSON", e1);
        }
        return out.toString();
    }

    /** Reads what {@link #write} writes; fields it does not know are skipped. */
    TaskEvent read(String json) throws JsonProcessingException {
        String id = null;
        String type = null;
        long version = 0;
        TaskStatus status = null;
        int progress = 0;
        String step = null;
        List<String> lines = new ArrayList<>();
        long last = 0;
        Instant at = null;
        try (JsonParser p = mapper.getFactory().createParser(json)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new JsonParseException(p, "an event is a JSON object");
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken value = p.nextToken();
                boolean isNull = value == JsonToken.VALUE_NULL;
                switch (field) {
                    case "id" -> id = p.getValueAsString();
                    case "type" -> type = p.getValueAsString();
                    case "v" -> version = p.getValueAsLong();
                    case "status" -> status = isNull ? null : TaskStatus.valueOf(p.getValueAsString());
                    case "progress" -> progress = p.getValueAsInt();
                    case "step" -> step = isNull ? null : p.getValueAsString();
                    case "lines" -> {
                        while (value == JsonToken.START_ARRAY && p.nextToken() != JsonToken.END_ARRAY) {
                            lines.add(p.getValueAsString());
                        }
                    }
                    case "last" -> last = p.getValueAsLong();
                    case "at" -> at = Instants.parse(p.getValueAsString());
                    default -> p.skipChildren();
                }
            }
        } catch (JsonProcessingException e) {
            throw e;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new TaskEvent(TaskId.of(id), TaskEvent.Type.valueOf(type), version, status, progress, step, lines,
                last, at);
    }
}
