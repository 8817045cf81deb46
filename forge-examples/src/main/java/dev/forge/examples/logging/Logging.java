package dev.forge.examples.logging;

import ch.qos.logback.classic.LoggerContext;
import org.slf4j.LoggerFactory;

/** The end of the process's logging. */
public final class Logging {

    private Logging() {
    }

    /**
     * Stops logback, which writes out the lines its asynchronous appender still holds (the
     * server's logback files queue lines so requests do not wait for stdout). Call it last
     * before the JVM exits; lines logged afterwards are lost.
     */
    public static void stop() {
        if (LoggerFactory.getILoggerFactory() instanceof LoggerContext context) {
            context.stop();
        }
    }
}
