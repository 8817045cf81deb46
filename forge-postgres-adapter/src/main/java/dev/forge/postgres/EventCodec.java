package dev.forge.postgres;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.forge.events.TaskEvent;
import dev.forge.task.Instants;
import dev.forge.task.TaskId;
import dev.forge.task.TaskStatus;
import java.util.ArrayList;
import java.util.List;

/**
 * Task events as compact JSON: a NOTIFY payload is a JSON array of them (a packed batch, see
 * {@link EventPublisher}) or one (a spilled row). Each event carries its publisher's sequence
 * number, which decoding ignores: it only keeps two equal payloads sent in one transaction from
 * being folded into one notification.
 */
final class EventCodec {

    private static final ObjectMapper JSON = new ObjectMapper();

    private EventCodec() {
    }

    static String encode(TaskEvent event, long sequence) {
        ObjectNode node = JSON.createObjectNode();
        node.put("q", sequence);
        node.put("i", event.taskId().value());
        node.put("y", event.type().name());
        node.put("v", event.version());
        if (event.status() != null) {
            node.put("s", event.status().name());
        }
        node.put("p", event.progress());
        if (event.step() != null) {
            node.put("st", event.step());
        }
        if (!event.lines().isEmpty()) {
            ArrayNode lines = node.putArray("l");
            event.lines().forEach(lines::add);
        }
        node.put("n", event.lastLine());
        node.put("a", Instants.format(event.at()));
        return node.toString();
    }

    static TaskEvent decode(String payload) {
        return decode(tree(payload));
    }

    /** The events of a payload: a JSON array of events (a packed batch) or one event. */
    static List<TaskEvent> decodeAll(String payload) {
        JsonNode node = tree(payload);
        if (!node.isArray()) {
            return List.of(decode(node));
        }
        List<TaskEvent> events = new ArrayList<>(node.size());
        node.forEach(event -> events.add(decode(event)));
        return events;
    }

    private static JsonNode tree(String payload) {
        try {
            return JSON.readTree(payload);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not a task event", e);
        }
    }

    private static TaskEvent decode(JsonNode node) {
        List<String> lines = new ArrayList<>();
        JsonNode array = node.get("l");
        if (array != null) {
            array.forEach(line -> lines.add(line.isNull() ? null : line.asText()));
        }
        JsonNode status = node.get("s");
        JsonNode step = node.get("st");
        return new TaskEvent(TaskId.of(node.get("i").asText()),
                TaskEvent.Type.valueOf(node.get("y").asText()), node.get("v").asLong(),
                status == null ? null : TaskStatus.valueOf(status.asText()), node.get("p").asInt(),
                step == null ? null : step.asText(), lines, node.get("n").asLong(),
                Instants.parse(node.get("a").asText()));
    }
}
