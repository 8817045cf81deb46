package dev.forge.redis;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.forge.events.TaskEvent;
import dev.forge.events.TaskEventJson;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;

/**
 * Task events as compact JSON messages on the pub/sub channels. Streamed both ways (no tree of
 * nodes): every job sends three events, and a node listening to every task reads them all.
 */
final class EventCodec {

    /** The messages' field names. */
    private static final TaskEventJson.Names NAMES = new TaskEventJson.Names("id", "type", "v", "status", "progress",
            "step", "lines", "last", "at");

    private final ObjectMapper mapper;

    EventCodec(ObjectMapper mapper) {
        this.mapper = mapper;
    }

    String write(TaskEvent e) {
        StringWriter out = new StringWriter(160);
        try (JsonGenerator g = mapper.getFactory().createGenerator(out)) {
            g.writeStartObject();
            TaskEventJson.writeFields(g, e, NAMES);
            g.writeEndObject();
        } catch (IOException e1) {
            throw new IllegalArgumentException("event cannot be written as JSON", e1);
        }
        return out.toString();
    }

    /** Reads what {@link #write} writes; fields it does not know are skipped. */
    TaskEvent read(String json) throws JsonProcessingException {
        try (JsonParser p = mapper.getFactory().createParser(json)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new JsonParseException(p, "an event is a JSON object");
            }
            return TaskEventJson.readObject(p, NAMES);
        } catch (JsonProcessingException e) {
            throw e;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
