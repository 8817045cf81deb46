package dev.forge.http;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.forge.task.Instants;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.time.Instant;

/**
 * The API's one JSON mapper: snake_case names, strict parsing (duplicate keys, trailing
 * tokens, deep nesting and huge numbers are malformed), instants as ISO-8601 strings.
 */
final class Json {

    private static final int MAX_NESTING = 32;

    private static final ObjectMapper MAPPER = JsonMapper.builder(JsonFactory.builder()
                    .streamReadConstraints(StreamReadConstraints.builder()
                            .maxNestingDepth(MAX_NESTING)
                            .maxNumberLength(100)
                            .maxStringLength(1024 * 1024)
                            .build())
                    .build())
            .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS)
            .disable(JsonParser.Feature.ALLOW_COMMENTS)
            .build();

    /**
     * Reads one value where the parser stands, as part of a larger one: {@link #read} checks what
     * follows the body's value itself, and a value inside an object is followed by more tokens.
     */
    private static final ObjectReader VALUE_READER = MAPPER.reader()
            .without(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private Json() {
    }

    /** Serialises a JSON-shaped value (maps, lists, strings, numbers, booleans, null). */
    static String write(Object value) {
        try {
            return MAPPER.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            // Only JSON-shaped values reach here; failing to write one is a bug, not input.
            throw new IllegalStateException("cannot serialise response", e);
        }
    }

    /**
     * Parses a request body.
     *
     * @throws ProblemException 400 when the bytes are not one well-formed JSON value
     */
    static JsonNode parse(byte[] body) {
        return read(body, Json::tree);
    }

    /**
     * Reads a request body's one JSON value with {@code reader}, which gets the parser on the
     * value's first token and reads through its last; no tree is built unless the reader builds
     * one. Whatever the reader returns, the whole body has been checked first: a body that is
     * not one well-formed value (empty, trailing tokens, duplicate keys, too deep) is a 400, so
     * a reader should leave its 422s to its caller.
     *
     * @throws ProblemException 400 when the bytes are not one well-formed JSON value
     */
    static <T> T read(byte[] body, ValueReader<T> reader) {
        if (body.length == 0) {
            throw new ProblemException(Problem.malformed("The request body is empty; a JSON object is expected."));
        }
        try (JsonParser parser = MAPPER.createParser(body)) {
            if (parser.nextToken() == null) {
                throw new ProblemException(Problem.malformed("The request body holds no JSON value."));
            }
            T value = reader.read(parser);
            if (parser.nextToken() != null) {
                throw new ProblemException(Problem.malformed("The request body is not well-formed JSON."));
            }
            return value;
        } catch (IOException e) {
            // Parser messages quote the input and name classes, so they never reach the caller.
            throw new ProblemException(Problem.malformed("The request body is not well-formed JSON."));
        }
    }

    /**
     * The value the parser is on, as a tree: the same checks (string and number limits) as
     * {@link #parse}, for a streaming reader's values that it does not read itself.
     */
    static JsonNode tree(JsonParser parser) throws IOException {
        return VALUE_READER.readTree(parser);
    }

    /** Reads one JSON value from a parser positioned on its first token. */
    @FunctionalInterface
    interface ValueReader<T> {
        T read(JsonParser parser) throws IOException;
    }

    /**
     * As {@link #write}, as UTF-8 straight into {@code out}: no byte array or String in between.
     * The generator never flushes or closes {@code out} (a flushed servlet stream commits the
     * response, chunked) and hands it the whole value in one write when it fits the generator's
     * buffer (about 8 KB), so a response stream still buffers the body and sets its
     * {@code Content-Length}.
     *
     * @throws IOException when {@code out} fails (the client has gone)
     */
    static void writeTo(OutputStream out, Object value) throws IOException {
        JsonGenerator generator = MAPPER.getFactory().createGenerator(out)
                .disable(JsonGenerator.Feature.FLUSH_PASSED_TO_STREAM)
                .disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);
        try {
            MAPPER.writeValue(generator, value);
            // closed only once the value is whole: closing writes out what the generator holds
            generator.close();
        } catch (JsonProcessingException e) {
            // Only JSON-shaped values reach here; failing to write one is a bug, not input.
            throw new IllegalStateException("cannot serialise response", e);
        }
    }

    /** Reads a bundled JSON resource. */
    static JsonNode readResource(String name) {
        try (var in = Json.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + name);
            }
            return MAPPER.readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read resource " + name, e);
        }
    }

    /** ISO-8601 UTC text of an instant, or null. */
    static String time(Instant instant) {
        return instant == null ? null : Instants.format(instant);
    }
}
