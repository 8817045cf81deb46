package dev.forge.http;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Errors Jetty answers itself, before Javalin sees the request (unparseable request lines,
 * bad URIs, oversized headers): the same problem+json and security headers as the API's own
 * errors, never Jetty's HTML page with its message. On a host application's paths (see
 * {@link ForgePaths}) Jetty's own error page stays; a request too broken to have a path is
 * answered with a problem whoever's it was.
 */
final class JettyErrors {

    private static final Logger LOG = LoggerFactory.getLogger(JettyErrors.class);

    private JettyErrors() {
    }

    static Problem problemFor(int status) {
        switch (status) {
            case 400:
            case 505:
                // An unsupported HTTP version is the client's mistake: answer it as one.
                return Problem.malformed("The request could not be parsed.");
            case 404:
                return Problem.notFound("No resource at this path.");
            case 413:
                return Problem.of(413, "payload-too-large", "Request body too large",
                        "The request body is too large.");
            case 414:
                return Problem.of(414, "uri-too-long", "URI too long", "The request URI is too long.");
            case 431:
                return Problem.of(431, "headers-too-large", "Request headers too large",
                        "The request headers are too large.");
            default:
                if (status >= 500 && status <= 599) {
                    String errorId = ErrorMapper.newErrorId();
                    LOG.error("server error {} before the request reached forge, error_id={}", status, errorId);
                    return status == 500 ? Problem.internal(errorId) : Problem.generic(status, "Server error");
                }
                if (status < 400 || status > 599) {
                    return Problem.generic(500, "Server error");
                }
                return Problem.generic(status, "Request refused");
        }
    }

    static byte[] body(Problem problem) {
        return Json.write(problem.body()).getBytes(StandardCharsets.UTF_8);
    }

    static void headers(HttpFields.Mutable fields, Problem problem) {
        SecurityHeaders.apply(fields::put);
        problem.headers().forEach(fields::put);
        fields.put(HttpHeader.CONTENT_TYPE, Problem.CONTENT_TYPE);
    }

    static boolean writeProblem(Response response, Callback callback, int code) {
        Problem problem = problemFor(code);
        response.setStatus(problem.status());
        headers(response.getHeaders(), problem);
        response.write(true, ByteBuffer.wrap(body(problem)), callback);
        return true;
    }

    private static boolean ownedBy(ForgePaths paths, Request request) {
        String path = Request.getPathInContext(request);
        return path == null || paths.owns(path);
    }

    /** For the server: covers requests that never reached a context, and unparseable ones. */
    static final class ServerHandler extends org.eclipse.jetty.server.handler.ErrorHandler {

        private final ForgePaths paths;

        ServerHandler(ForgePaths paths) {
            this.paths = paths;
        }

        @Override
        public boolean errorPageForMethod(String method) {
            return true;
        }

        @Override
        protected boolean generateAcceptableResponse(Request request, Response response, Callback callback,
                String contentType, List<Charset> charsets, int code, String message, Throwable cause)
                throws IOException {
            if (!ownedBy(paths, request)) {
                return super.generateAcceptableResponse(request, response, callback, contentType, charsets, code,
                        message, cause);
            }
            return writeProblem(response, callback, code);
        }

        @Override
        protected void generateResponse(Request request, Response response, int code, String message,
                Throwable cause, Callback callback) throws IOException {
            if (!ownedBy(paths, request)) {
                super.generateResponse(request, response, code, message, cause, callback);
                return;
            }
            // Whatever the client accepts: every error body on forge's paths is a problem.
            writeProblem(response, callback, code);
        }

        @Override
        public ByteBuffer badMessageError(int status, String reason, HttpFields.Mutable fields) {
            Problem problem = problemFor(status);
            headers(fields, problem);
            return ByteBuffer.wrap(body(problem));
        }
    }

    /** For Javalin's servlet context: servlet-level errors such as ambiguous paths. */
    static final class ContextHandler extends org.eclipse.jetty.ee10.servlet.ErrorHandler {

        private final ForgePaths paths;

        ContextHandler(ForgePaths paths) {
            this.paths = paths;
        }

        @Override
        public boolean errorPageForMethod(String method) {
            return true;
        }

        @Override
        protected void generateResponse(Request request, Response response, int code, String message,
                Throwable cause, Callback callback) throws IOException {
            if (!ownedBy(paths, request)) {
                super.generateResponse(request, response, code, message, cause, callback);
                return;
            }
            writeProblem(response, callback, code);
        }

        @Override
        protected boolean generateAcceptableResponse(Request request, Response response, Callback callback,
                String contentType, List<Charset> charsets, int code, String message, Throwable cause)
                throws IOException {
            if (!ownedBy(paths, request)) {
                return super.generateAcceptableResponse(request, response, callback, contentType, charsets, code,
                        message, cause);
            }
            return writeProblem(response, callback, code);
        }
    }
}
