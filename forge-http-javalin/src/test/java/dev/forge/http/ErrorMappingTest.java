package dev.forge.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.forge.InfrastructureException;
import dev.forge.store.InMemoryTaskStore;
import dev.forge.task.Page;
import dev.forge.task.TaskId;
import dev.forge.task.TaskKind;
import dev.forge.task.TaskRecord;
import dev.forge.testing.ForwardingStore;
import java.net.http.HttpResponse;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** Failures inside forge reach callers as 500/503 problems that reveal nothing internal. */
class ErrorMappingTest {

    private static final String SECRET_DETAIL = "jdbc://db.internal:5432 password=hunter2";

    @Test
    void unexpectedException_answers500WithErrorId_andNoInternals() {
        Logger logger = (Logger) LoggerFactory.getLogger(ErrorMapper.class);
        ListAppender<ILoggingEvent> logged = new ListAppender<>();
        logged.start();
        logger.addAppender(logged);
        try (TestServer server = TestServer.start(new TestServer.Options().noWorkers()
                .forge(b -> b.taskStore(new FailingStore())))) {
            HttpResponse<String> response = server.get("/api/build/explode", server.userToken("alice"));

            assertThat(response.statusCode()).isEqualTo(500);
            RequestBodyApiTest.assertProblem(response, "internal-error");
            JsonNode body = TestServer.json(response);
            assertThat(body.get("error_id").asText()).matches("[0-9a-f]{16}");
            assertThat(body.get("detail").asText()).contains(body.get("error_id").asText());
            assertThat(response.body()).doesNotContain("hunter2").doesNotContain("IllegalStateException")
                    .doesNotContain("at dev.").doesNotContain("java.");
            assertThat(response.headers().firstValue("X-Frame-Options")).contains("DENY");
            // the log has what the body hides, under the same id
            assertThat(logged.list).anySatisfy(event -> {
                assertThat(event.getFormattedMessage()).contains(body.get("error_id").asText());
                assertThat(event.getThrowableProxy().getMessage()).contains("hunter2");
            });
        } finally {
            logger.detachAppender(logged);
        }
    }

    @Test
    void infrastructureFailure_answers503_withoutItsMessage() {
        try (TestServer server = TestServer.start(new TestServer.Options().noWorkers()
                .forge(b -> b.taskStore(new FailingStore())))) {
            HttpResponse<String> response = server.get("/api/build/", server.userToken("alice"));

            assertThat(response.statusCode()).isEqualTo(503);
            RequestBodyApiTest.assertProblem(response, "service-unavailable");
            assertThat(response.headers().firstValue("Retry-After")).isPresent();
            assertThat(response.body()).doesNotContain("hunter2").doesNotContain("Exception");
        }
    }

    @Test
    void debugMode_showsTheException() {
        try (TestServer server = TestServer.start(new TestServer.Options().noWorkers()
                .http(http -> http.debug(true)).forge(b -> b.taskStore(new FailingStore())))) {
            HttpResponse<String> response = server.get("/api/build/explode", server.userToken("alice"));

            assertThat(response.statusCode()).isEqualTo(500);
            JsonNode debug = TestServer.json(response).get("debug");
            assertThat(debug.get("exception").asText()).isEqualTo(IllegalStateException.class.getName());
            assertThat(debug.get("message").asText()).contains("hunter2");
        }
    }

    @Test
    void authenticatorThatThrows_isARejection_unlessItsInfrastructureIsDown() {
        try (TestServer broken = TestServer.start(new TestServer.Options().noWorkers()
                .forge(b -> b.authenticator(token -> {
                    if (token.equals("down")) {
                        throw new InfrastructureException("key server unreachable at " + SECRET_DETAIL);
                    }
                    throw new IllegalStateException("bug " + SECRET_DETAIL);
                })))) {
            HttpResponse<String> bug = broken.get("/api/build/", "anything");
            HttpResponse<String> down = broken.get("/api/build/", "down");

            assertThat(bug.statusCode()).isEqualTo(401);
            assertThat(down.statusCode()).isEqualTo(503);
            assertThat(bug.body() + down.body()).doesNotContain("hunter2").doesNotContain("Exception");
        }
    }

    /** A store whose reads of certain ids fail the way a broken driver would. */
    private static final class FailingStore extends ForwardingStore {

        FailingStore() {
            super(new InMemoryTaskStore());
        }

        @Override
        public Optional<TaskRecord> find(TaskId id) {
            if (id.value().equals("explode")) {
                throw new IllegalStateException("driver bug near " + SECRET_DETAIL);
            }
            return super.find(id);
        }

        @Override
        public Page<TaskRecord> listByOwner(String owner, TaskKind kind, int limit, int offset) {
            throw new InfrastructureException("store unreachable at " + SECRET_DETAIL);
        }

        @Override
        public Page<TaskRecord> listAll(TaskKind kind, int limit, int offset) {
            throw new InfrastructureException("store unreachable at " + SECRET_DETAIL);
        }
    }
}
