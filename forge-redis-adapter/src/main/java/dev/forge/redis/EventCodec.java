package dev.forge.redis;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.forge.events.TaskEvent;
import dev.forge.task.TaskId;
import dev.forge.task.TaskStatus;
import java.util.ArrayList;
import java.util.List;

/** Task events as compact JSON messages on the pub/sub channels. */
final class EventCodec {

    private final ObjectMapper mapper;

    EventCodec(ObjectMapper mapper) {
        this.mapper = mapper;
    }

    String write(TaskEvent e) {
        ObjectNode node = mapper.createObjectNode();
        node.put("id", e.taskId().value());
        node.put("type", e.type().name());
        node.put("v", e.version());
        if (e.status() != null) {
            node.put("status", e.status().name());
        }
        node.put("progress", e.progress());
        if (e.step() != null) {
            node.put("step", e.step());
        }
        if (!e.lines().isEmpty()) {
            ArrayNode lines = node.putArray("lines");
            e.lines().forEach(lines::add);
        }
        node.put("last", e.lastLine());
        node.put("at", e.at().toString());
        try {
            return mapper.writeValueAsString(node);
        } catch (JsonProcessingException e1) {
            throw new IllegalArgumentException("event cannot be written as JSON", e1);
        }
    }

    TaskEvent read(String json) throws JsonProcessingException {
        JsonNode n = mapper.readTree(json);
        List<String> lines = new ArrayList<>();
        n.path("lines").forEach(l -> lines.add(l.asText()));
        return new TaskEvent(TaskId.of(n.get("id").asText()), TaskEvent.Type.valueOf(n.get("type").asText()),
                n.path("v").asLong(), n.hasNonNull("status") ? TaskStatus.valueOf(n.get("status").asText()) : null,
                n.path("progress").asInt(), n.hasNonNull("step") ? n.get("step").asText() : null, lines,
                n.path("last").asLong(), Instants.parse(n.get("at").asText()));
    }
}
