package dev.forge.redis;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.forge.InfrastructureException;
import dev.forge.store.JsonTree;
import dev.forge.task.Instants;
import dev.forge.task.TaskError;
import dev.forge.task.TaskId;
import dev.forge.task.TaskKind;
import dev.forge.task.TaskRecord;
import dev.forge.task.TaskStatus;
import java.io.IOException;
import java.io.StringWriter;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Task records as one JSON value each. Instants are ISO-8601 strings (nanoseconds kept); results
 * go through {@link JsonTree#snapshot} both ways, so they are refused and normalised exactly as
 * in memory and come back in the canonical types.
 */
final class TaskCodec {

    private final ObjectMapper mapper;

    TaskCodec(ObjectMapper mapper) {
        this.mapper = mapper; // read() refuses trailing text itself: its values are read mid-document
    }

    /** Streams the fields (no intermediate tree): this runs for every create and compare-and-set. */
    String write(TaskRecord r) {
        // refuses what JSON cannot hold, with the in-memory store's message, before writing
        Map<String, Object> results = JsonTree.snapshot(r.results());
        StringWriter out = new StringWriter(512); // a record without results fits
        try (JsonGenerator g = mapper.getFactory().createGenerator(out)) {
            g.writeStartObject();
            g.writeStringField("id", r.id().value());
            g.writeStringField("kind", r.kind().name());
            g.writeStringField("owner", r.owner());
            g.writeStringField("project", r.projectName());
            g.writeStringField("goal", r.goal());
            g.writeObjectFieldStart("params");
            for (Map.Entry<String, String> e : r.parameters().entrySet()) {
                g.writeStringField(e.getKey(), e.getValue());
            }
            g.writeEndObject();
            g.writeArrayFieldStart("types");
            for (String type : r.analysisTypes()) {
                g.writeString(type);
            }
            g.writeEndArray();
            g.writeNumberField("maxAttempts", r.maxAttempts());
            g.writeStringField("createdAt", Instants.format(r.createdAt()));
            g.writeFieldName("results");
            if (results.isEmpty()) {
                // every record before its job completes: no serializer lookup for nothing
                g.writeStartObject();
                g.writeEndObject();
            } else {
                mapper.writeValue(g, results);
            }
            // The fields a start changes, last and in this order: q_lease.lua starts a task by
            // replacing them (see its start()). Text a user or a runner gave (the step, the
            // error) comes after "status", so the record's last ',"status":"' is this one.
            g.writeStringField("status", r.status().name());
            g.writeNumberField("attempt", r.attempt());
            g.writeNumberField("version", r.version());
            g.writeNumberField("progress", r.progress());
            if (r.currentStep() != null) {
                g.writeStringField("step", r.currentStep());
            }
            if (r.error() != null) {
                g.writeObjectFieldStart("error");
                g.writeStringField("code", r.error().code());
                g.writeStringField("message", r.error().message());
                g.writeEndObject();
            }
            g.writeStringField("updatedAt", Instants.format(r.updatedAt()));
            if (r.startedAt() != null) {
                g.writeStringField("startedAt", Instants.format(r.startedAt()));
            }
            if (r.completedAt() != null) {
                g.writeStringField("completedAt", Instants.format(r.completedAt()));
            }
            g.writeEndObject();
        } catch (IOException e) {
            throw new IllegalArgumentException("task " + r.id() + " cannot be written as JSON", e);
        }
        return out.toString();
    }

    /**
     * Streams the fields, as {@link #write} does: a worker reads a record for every job. Fields it
     * does not know are skipped; anything after the record is refused.
     */
    TaskRecord read(String json) {
        Fields f = new Fields();
        try (JsonParser p = mapper.getFactory().createParser(json)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new JsonParseException(p, "a task record is a JSON object");
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                p.nextToken();
                f.read(field, p);
            }
            if (p.nextToken() != null) {
                throw new JsonParseException(p, "trailing text after a task record");
            }
            return new TaskRecord(TaskId.of(f.id), TaskKind.valueOf(f.kind), Objects.requireNonNull(f.owner, "owner"),
                    Objects.requireNonNull(f.project, "project"), f.goal, f.params, f.types,
                    TaskStatus.valueOf(f.status), f.progress, f.step, f.attempt, f.maxAttempts, f.results, f.error,
                    f.createdAt, f.updatedAt, f.startedAt, f.completedAt, f.version);
        } catch (IOException | RuntimeException e) {
            // a record this code did not write (or a corrupted one) is an infrastructure fault
            throw new InfrastructureException("a stored task record could not be read", e);
        }
    }

    /** A record's fields as they are read, with the defaults of fields a record may lack. */
    private final class Fields {
        String id;
        String kind;
        String owner;
        String project;
        String goal = "";
        Map<String, String> params = new LinkedHashMap<>();
        List<String> types = new ArrayList<>();
        String status;
        int progress;
        String step;
        int attempt;
        int maxAttempts = 1;
        Map<String, Object> results = Map.of();
        TaskError error;
        Instant createdAt;
        Instant updatedAt;
        Instant startedAt;
        Instant completedAt;
        long version;

        /** Reads the value {@code p} is at, the value of {@code field}. */
        @SuppressWarnings("unchecked")
        void read(String field, JsonParser p) throws IOException {
            if (p.currentToken() == JsonToken.VALUE_NULL) {
                return; // as absent
            }
            switch (field) {
                case "id" -> id = p.getValueAsString();
                case "kind" -> kind = p.getValueAsString();
                case "owner" -> owner = p.getValueAsString();
                case "project" -> project = p.getValueAsString();
                case "goal" -> goal = p.getValueAsString("");
                case "params" -> {
                    while (p.nextToken() == JsonToken.FIELD_NAME) {
                        String name = p.currentName();
                        p.nextToken();
                        params.put(name, p.getValueAsString());
                    }
                }
                case "types" -> {
                    while (p.nextToken() != JsonToken.END_ARRAY) {
                        types.add(p.getValueAsString());
                    }
                }
                case "status" -> status = p.getValueAsString();
                case "progress" -> progress = p.getValueAsInt();
                case "step" -> step = p.getValueAsString();
                case "attempt" -> attempt = p.getValueAsInt();
                case "maxAttempts" -> maxAttempts = p.getValueAsInt(1);
                case "results" -> results = JsonTree.snapshot(mapper.readValue(p, LinkedHashMap.class));
                case "error" -> {
                    JsonNode n = mapper.readTree(p);
                    error = new TaskError(n.path("code").asText(), n.path("message").asText());
                }
                case "createdAt" -> createdAt = Instants.parse(p.getValueAsString());
                case "updatedAt" -> updatedAt = Instants.parse(p.getValueAsString());
                case "startedAt" -> startedAt = Instants.parse(p.getValueAsString());
                case "completedAt" -> completedAt = Instants.parse(p.getValueAsString());
                case "version" -> version = p.getValueAsLong();
                default -> p.skipChildren();
            }
        }
    }
}
