package dev.forge.http;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.net.http.HttpResponse;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import org.slf4j.event.KeyValuePair;

/** The access-log line of a request: its text, its key-value pairs and the request's log keys. */
class AccessLogTest {

    @Test
    void create_isLogged_withMethodPathStatusDuration_andTheRequestsKeys() throws InterruptedException {
        Logger logger = (Logger) LoggerFactory.getLogger("dev.forge.http.access");
        ListAppender<ILoggingEvent> logged = new ListAppender<>() {
            @Override
            protected void append(ILoggingEvent event) {
                event.prepareForDeferredProcessing(); // copies the MDC on the request thread
                super.append(event);
            }
        };
        logged.start();
        logger.addAppender(logged);
        try (TestServer server = TestServer.start(new TestServer.Options().noWorkers())) {
            HttpResponse<String> response = server.postJson("/api/build/", server.userToken("alice"),
                    "{\"project_name\":\"hello\",\"goal\":\"build and test\"}");
            assertThat(response.statusCode()).isEqualTo(202);
            String taskId = TestServer.json(response).get("task_id").asText();

            ILoggingEvent line = awaitLine(logged, "POST /api/build/ ");
            assertThat(line.getFormattedMessage()).matches("POST /api/build/ 202 [0-9]+\\.[0-9] ms");
            // the message is the text itself, not a pattern: nothing in it is substituted
            assertThat(line.getArgumentArray()).isNull();
            Map<String, Object> pairs = new LinkedHashMap<>();
            for (KeyValuePair pair : line.getKeyValuePairs()) {
                pairs.put(pair.key, pair.value);
            }
            assertThat(pairs).containsOnlyKeys("method", "path", "status", "duration_ms")
                    .containsEntry("method", "POST").containsEntry("path", "/api/build/")
                    .containsEntry("status", 202);
            assertThat(line.getFormattedMessage()).endsWith(" " + pairs.get("duration_ms") + " ms");
            assertThat(line.getMDCPropertyMap())
                    .containsEntry("request_id", response.headers().firstValue("X-Request-Id").orElseThrow())
                    .containsEntry("user", "alice")
                    .containsEntry("task_id", taskId)
                    .containsEntry("project", "hello");
        } finally {
            logger.detachAppender(logged);
        }
    }

    /** Javalin logs a request once its response is written, so the client may see the answer first. */
    private static ILoggingEvent awaitLine(ListAppender<ILoggingEvent> logged, String prefix)
            throws InterruptedException {
        for (int i = 0; i < 1000; i++) {
            List<ILoggingEvent> lines;
            synchronized (logged) { // the appender appends under its own lock
                lines = List.copyOf(logged.list);
            }
            for (ILoggingEvent line : lines) {
                if (line.getFormattedMessage().startsWith(prefix)) {
                    return line;
                }
            }
            Thread.sleep(10);
        }
        throw new AssertionError("no access-log line starting with '" + prefix + "' in 10 s: " + logged.list);
    }
}
