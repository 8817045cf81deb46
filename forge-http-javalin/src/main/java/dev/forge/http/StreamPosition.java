package dev.forge.http;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How far an event stream has got: the highest task record version and the highest log line it
 * has sent. Written as the SSE event id {@code <version>-<line>}, so a client that reconnects with
 * {@code Last-Event-ID} resumes after it, without repeats.
 *
 * @param version the highest record version sent (-1: none yet)
 * @param line    the highest log line number sent (0: none yet)
 */
record StreamPosition(long version, long line) {

    /** Nothing sent yet. */
    static final StreamPosition START = new StreamPosition(-1, 0);

    private static final Pattern ID = Pattern.compile("(\\d{1,18})-(\\d{1,18})");

    /** The SSE event id. */
    String id() {
        return Math.max(version, 0) + "-" + line;
    }

    /**
     * The position a {@code Last-Event-ID} header names, or null when it is absent or not an id
     * this server writes (the stream then starts from the beginning).
     */
    static StreamPosition parse(String lastEventId) {
        if (lastEventId == null) {
            return null;
        }
        Matcher m = ID.matcher(lastEventId.strip());
        return m.matches() ? new StreamPosition(Long.parseLong(m.group(1)), Long.parseLong(m.group(2))) : null;
    }
}
