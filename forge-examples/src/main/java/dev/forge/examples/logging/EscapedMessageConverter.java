package dev.forge.examples.logging;

import ch.qos.logback.classic.pattern.MessageConverter;
import ch.qos.logback.classic.spi.ILoggingEvent;
import dev.forge.security.LogText;

/**
 * {@code %safeMsg}: the formatted message with control characters escaped, so text a client
 * chose (a header Jetty quotes, a user name) cannot start a forged line in the text log.
 */
public class EscapedMessageConverter extends MessageConverter {

    @Override
    public String convert(ILoggingEvent event) {
        return LogText.escape(super.convert(event));
    }
}
