package dev.forge.examples.logging;

import ch.qos.logback.classic.pattern.MDCConverter;
import ch.qos.logback.classic.spi.ILoggingEvent;
import dev.forge.security.LogText;

/** {@code %safeMdc}: logback's {@code %X} with control characters escaped in keys and values. */
public class EscapedMdcConverter extends MDCConverter {

    @Override
    public String convert(ILoggingEvent event) {
        return LogText.escape(super.convert(event));
    }
}
