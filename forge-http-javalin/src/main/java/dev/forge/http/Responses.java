package dev.forge.http;

import io.javalin.http.Context;
import java.io.IOException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Writes JSON bodies with the API's mapper. */
final class Responses {

    private static final Logger LOG = LoggerFactory.getLogger(Responses.class);

    private Responses() {
    }

    /**
     * The application's context path without its trailing slash ({@code ""} at the root), to put
     * forge's paths after. Not a regex replace: this runs for every create.
     */
    static String contextBase(Context ctx) {
        String path = ctx.contextPath();
        return path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
    }

    /**
     * Writes {@code body} straight to the response stream rather than as a Javalin result: Javalin
     * copies a result through a new 32 KB buffer per request, which was a third of all the bytes
     * the server allocated under load. The JSON is generated into the stream, not into an array
     * first. The stream is Javalin's, so compression and HEAD still apply, and Jetty still sets
     * {@code Content-Length} for bodies that fit its output buffer.
     */
    static void json(Context ctx, Object body) {
        ctx.contentType("application/json");
        try {
            Json.writeTo(ctx.outputStream(), body);
        } catch (IOException e) {
            // the client has gone: there is no one left to answer
            LOG.debug("response not written: {}", e.toString());
        }
    }
}
