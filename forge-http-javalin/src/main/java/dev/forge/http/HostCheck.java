package dev.forge.http;

import io.javalin.http.Context;
import java.util.Locale;

/**
 * Refuses requests whose host (as the server resolved it from the request line or the
 * {@code Host} header) is not trusted, so that DNS-rebinding pages cannot talk to a server
 * bound to a private address.
 */
final class HostCheck {

    private final HttpConfig config;

    HostCheck(HttpConfig config) {
        this.config = config;
    }

    /** Javalin before handler. */
    void check(Context ctx) {
        // RFC 9112 3.2: a request with more than one Host header is invalid; a proxy routing on
        // another copy than the one checked here would defeat the check.
        var hosts = ctx.req().getHeaders("Host");
        if (hosts != null && hosts.hasMoreElements()) {
            hosts.nextElement();
            if (hosts.hasMoreElements()) {
                throw new ProblemException(Problem.malformed("more than one Host header"));
            }
        }
        String host = normalise(ctx.req().getServerName());
        if (host.isEmpty() || !config.isTrustedHost(host)) {
            throw new ProblemException(Problem.untrustedHost());
        }
    }

    static String normalise(String serverName) {
        if (serverName == null) {
            return "";
        }
        String host = serverName.trim().toLowerCase(Locale.ROOT);
        if (host.indexOf(':') >= 0 && !host.startsWith("[")) {
            host = "[" + host + "]";
        }
        return host;
    }
}
