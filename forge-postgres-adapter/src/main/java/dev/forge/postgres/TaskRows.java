package dev.forge.postgres;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;
import dev.forge.store.JsonTree;
import dev.forge.task.TaskError;
import dev.forge.task.TaskId;
import dev.forge.task.TaskKind;
import dev.forge.task.TaskRecord;
import dev.forge.task.TaskStatus;
import java.io.IOException;
import java.math.BigDecimal;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;

/** A {@link TaskRecord} as a row of the tasks table, and back. */
final class TaskRows {

    /** The columns, in the order {@link #bind} sets them and {@link #read} reads them. */
    static final String COLUMNS = "id, kind, owner, project_name, goal, parameters, analysis_types,"
            + " status, progress, current_step, attempt, max_attempts, results, error_code,"
            + " error_message, created_at, updated_at, started_at, completed_at, finished_at, version";
    /** How many {@link #COLUMNS} there are. */
    static final int COLUMN_COUNT = COLUMNS.split(",").length;
    /** Placeholders for {@link #COLUMNS}, with the jsonb casts. */
    static final String VALUES = "?, ?, ?, ?, ?, ?::jsonb, ?::jsonb, ?, ?, ?, ?, ?, ?::jsonb, ?, ?, ?, ?, ?, ?, ?, ?";
    /** SET clause for every column but id, for a compare-and-set. */
    static final String ASSIGNMENTS = "kind = ?, owner = ?, project_name = ?, goal = ?,"
            + " parameters = ?::jsonb, analysis_types = ?::jsonb, status = ?, progress = ?,"
            + " current_step = ?, attempt = ?, max_attempts = ?, results = ?::jsonb, error_code = ?,"
            + " error_message = ?, created_at = ?, updated_at = ?, started_at = ?, completed_at = ?,"
            + " finished_at = ?, version = ?";

    /**
     * Whole numbers come back as Integer or Long by size, doubles as Double. jsonb keeps a
     * number's decimal digits but not its notation ({@code 1.0E20} is stored as
     * {@code 100000000000000000000}, which would read back as an integer), so doubles are written
     * in plain notation with a decimal point, which jsonb keeps.
     */
    private static final ObjectMapper JSON = new ObjectMapper().registerModule(new SimpleModule()
            .addSerializer(Double.class, new PlainDoubleSerializer()));
    private static final TypeReference<Map<String, Object>> OBJECT = new TypeReference<>() { };
    private static final TypeReference<Map<String, String>> STRINGS = new TypeReference<>() { };
    private static final TypeReference<List<String>> LIST = new TypeReference<>() { };

    private TaskRows() {
    }

    /** {@link #COLUMNS} of the row named {@code alias}: {@code alias.id, alias.kind, ...}. */
    static String columnsOf(String alias) {
        return alias + "." + COLUMNS.replace(", ", ", " + alias + ".");
    }

    /** Binds every column from {@code id} on, starting at parameter {@code first}; returns the next index. */
    static int bind(PreparedStatement statement, int first, TaskRecord record, boolean withId)
            throws SQLException {
        int i = first;
        if (withId) {
            statement.setString(i++, record.id().value());
        }
        statement.setString(i++, record.kind().name());
        statement.setString(i++, record.owner());
        statement.setString(i++, record.projectName());
        statement.setString(i++, record.goal());
        statement.setString(i++, json(record.parameters()));
        statement.setString(i++, json(record.analysisTypes()));
        statement.setString(i++, record.status().name());
        statement.setInt(i++, record.progress());
        statement.setString(i++, record.currentStep());
        statement.setInt(i++, record.attempt());
        statement.setInt(i++, record.maxAttempts());
        // the same canonical values, and the same refusals, as every other store
        statement.setString(i++, json(JsonTree.snapshot(record.results())));
        statement.setString(i++, record.error() == null ? null : record.error().code());
        statement.setString(i++, record.error() == null ? null : record.error().message());
        timestamp(statement, i++, record.createdAt());
        timestamp(statement, i++, record.updatedAt());
        timestamp(statement, i++, record.startedAt());
        timestamp(statement, i++, record.completedAt());
        timestamp(statement, i++, finishedAt(record));
        statement.setLong(i++, record.version());
        return i;
    }

    /** When retention counts a terminal task as finished; null while it is not terminal. */
    static Instant finishedAt(TaskRecord record) {
        if (!record.isTerminal()) {
            return null;
        }
        return record.completedAt() != null ? record.completedAt() : record.updatedAt();
    }

    /** The record in the current row, whose first column is {@code id} at {@code first}. */
    static TaskRecord read(ResultSet row, int first) throws SQLException {
        int i = first;
        TaskId id = TaskId.of(row.getString(i++));
        TaskKind kind = TaskKind.valueOf(row.getString(i++));
        String owner = row.getString(i++);
        String project = row.getString(i++);
        String goal = row.getString(i++);
        Map<String, String> parameters = parse(row.getString(i++), STRINGS);
        List<String> types = parse(row.getString(i++), LIST);
        TaskStatus status = TaskStatus.valueOf(row.getString(i++));
        int progress = row.getInt(i++);
        String step = row.getString(i++);
        int attempt = row.getInt(i++);
        int maxAttempts = row.getInt(i++);
        Map<String, Object> results = parse(row.getString(i++), OBJECT);
        String errorCode = row.getString(i++);
        String errorMessage = row.getString(i++);
        Instant created = instant(row, i++);
        Instant updated = instant(row, i++);
        Instant started = instant(row, i++);
        Instant completed = instant(row, i++);
        i++; // finished_at is derived
        long version = row.getLong(i);
        TaskError error = errorCode == null ? null : new TaskError(errorCode, errorMessage);
        return new TaskRecord(id, kind, owner, project, goal, parameters, types, status, progress,
                step, attempt, maxAttempts, results, error, created, updated, started, completed,
                version);
    }

    static void timestamp(PreparedStatement statement, int index, Instant instant)
            throws SQLException {
        if (instant == null) {
            statement.setNull(index, Types.TIMESTAMP_WITH_TIMEZONE);
        } else {
            statement.setObject(index, OffsetDateTime.ofInstant(instant, ZoneOffset.UTC));
        }
    }

    static Instant instant(ResultSet row, int index) throws SQLException {
        OffsetDateTime timestamp = row.getObject(index, OffsetDateTime.class);
        return timestamp == null ? null : timestamp.toInstant();
    }

    private static String json(Object value) {
        try {
            return JSON.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not storable as JSON: " + e.getOriginalMessage(), e);
        }
    }

    private static <T> T parse(String json, TypeReference<T> type) {
        try {
            return JSON.readValue(json, type);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("stored JSON could not be read", e);
        }
    }

    /** A double as plain decimal digits with a point: 1.0E20 as 100000000000000000000.0. */
    private static final class PlainDoubleSerializer extends StdSerializer<Double> {
        private static final long serialVersionUID = 1L;

        PlainDoubleSerializer() {
            super(Double.class);
        }

        @Override
        public void serialize(Double value, JsonGenerator generator, SerializerProvider provider)
                throws IOException {
            String plain = new BigDecimal(Double.toString(value)).toPlainString();
            generator.writeNumber(plain.indexOf('.') < 0 ? plain + ".0" : plain);
        }
    }
}
