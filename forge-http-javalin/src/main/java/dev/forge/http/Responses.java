package dev.forge.http;

import io.javalin.http.Context;

/** Writes JSON bodies with the API's mapper. */
final class Responses {

    private Responses() {
    }

    static void json(Context ctx, Object body) {
        ctx.contentType("application/json").result(Json.writeBytes(body));
    }
}
