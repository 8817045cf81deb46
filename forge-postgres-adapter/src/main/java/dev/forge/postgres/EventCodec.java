package dev.forge.postgres;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.forge.events.TaskEvent;
import dev.forge.events.TaskEventJson;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
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
    /** Short field names: a NOTIFY payload holds at most 8,000 bytes. */
    private static final TaskEventJson.Names NAMES = new TaskEventJson.Names("i", "y", "v", "s", "p", "st", "l", "n",
            "a");

    private EventCodec() {
    }

    static String encode(TaskEvent event, long sequence) {
        StringWriter out = new StringWriter(160);
        try (JsonGenerator json = JSON.createGenerator(out)) {
            json.writeStartObject();
            json.writeNumberField("q", sequence);
            TaskEventJson.writeFields(json, event, NAMES);
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
                return List.of(TaskEventJson.readObject(json, NAMES));
            }
            if (first != JsonToken.START_ARRAY) {
                throw new IllegalArgumentException("not a task event");
            }
            List<TaskEvent> events = new ArrayList<>();
            while (json.nextToken() == JsonToken.START_OBJECT) {
                events.add(TaskEventJson.readObject(json, NAMES));
            }
            return events;
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException("not a task event", e);
        }
    }
}
