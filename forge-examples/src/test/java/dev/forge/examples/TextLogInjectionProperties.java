package dev.forge.examples;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.AsyncAppender;
import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.LoggingEvent;
import ch.qos.logback.core.OutputStreamAppender;
import ch.qos.logback.core.encoder.Encoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * Log injection against the real text logback file: whatever a client puts into a message
 * argument, the MDC (user, project) or an exception message, one event is one line (plus the
 * tab-indented frames of a stack trace), with no control character but the line ends.
 */
class TextLogInjectionProperties {

    private static LoggerContext context;
    private static Encoder<ILoggingEvent> encoder;

    @BeforeContainer
    @SuppressWarnings("unchecked")
    static void configure() throws Exception {
        context = new LoggerContext();
        JoranConfigurator configurator = new JoranConfigurator();
        configurator.setContext(context);
        configurator.doConfigure(TextLogInjectionProperties.class.getClassLoader()
                .getResource("forge-logback-text.xml"));
        // the root logs through ASYNC, which hands each event to TEXT on logback's own thread
        AsyncAppender async = (AsyncAppender) context.getLogger(Logger.ROOT_LOGGER_NAME).getAppender("ASYNC");
        OutputStreamAppender<ILoggingEvent> appender = (OutputStreamAppender<ILoggingEvent>) async.getAppender("TEXT");
        encoder = appender.getEncoder();
        assertThat(context.getStatusManager().getCopyOfStatusList())
                .noneMatch(status -> status.getLevel() >= ch.qos.logback.core.status.Status.WARN);
    }

    @AfterContainer
    static void stop() {
        context.stop();
    }

    @Property(tries = 150)
    void oneEventIsOneLine(@ForAll("hostile") String argument, @ForAll("hostile") String user,
            @ForAll("hostile") String project) {
        String line = encode(argument, user, project, null);

        assertThat(line).endsWith("\n");
        assertThat(line.substring(0, line.length() - 1)).doesNotContain("\n");
        assertNoControlCharacterButLineEndsAndTabs(line);
        assertThat(line).contains("build by ");
    }

    @Property(tries = 60)
    void anExceptionMessageAddsNoLineOfItsOwn(@ForAll("hostile") String message) {
        String text = encode("x", "alice", "p", new IllegalStateException(message));
        List<String> lines = text.lines().toList();

        assertThat(lines.get(1)).startsWith("java.lang.IllegalStateException");
        assertThat(lines.subList(2, lines.size())).allMatch(l -> l.startsWith("\t"));
        assertNoControlCharacterButLineEndsAndTabs(text);
    }

    private static String encode(String argument, String user, String project, Throwable thrown) {
        Logger logger = context.getLogger("dev.forge.test");
        LoggingEvent event = new LoggingEvent(Logger.class.getName(), logger, Level.WARN, "build by {}",
                thrown, new Object[] {argument});
        event.setMDCPropertyMap(Map.of("user", user, "project", project));
        return new String(encoder.encode(event), StandardCharsets.UTF_8);
    }

    private static void assertNoControlCharacterButLineEndsAndTabs(String text) {
        text.codePoints().forEach(cp -> {
            if (cp != '\n' && cp != '\t') {
                int type = Character.getType(cp);
                assertThat(type).as("U+%04X in %s", cp, text).isNotIn((int) Character.CONTROL,
                        (int) Character.LINE_SEPARATOR, (int) Character.PARAGRAPH_SEPARATOR, (int) Character.FORMAT);
            }
        });
    }

    @Provide
    Arbitrary<String> hostile() {
        return Arbitraries.oneOf(
                Arbitraries.strings().all().ofMaxLength(60),
                Arbitraries.strings().withChars("ab \n\r\t\u0000\u001b[\u007f\u0085\u2028\u2029\u202e\u200b")
                        .ofMaxLength(30),
                Arbitraries.just("alice\n12:00:00.000 ERROR dev.forge.Forge [] disk full"));
    }
}
