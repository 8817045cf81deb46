package dev.forge.http;

import io.javalin.http.Context;
import io.javalin.http.HandlerType;
import java.util.ArrayList;
import java.util.List;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The request paths forge answers for, and the methods each of its routes takes.
 *
 * <p>Forge's filters (security headers, trusted-host check, CORS, HEAD refusal, request ids,
 * access log) and its problem+json error mapping apply only where {@link #owns(Context)} is
 * true. In an application that embeds forge through {@link ForgeHttp#install}, those are
 * forge's own prefixes ({@code /api}, {@code /docs}, {@code /openapi.json}, {@code /metrics},
 * {@code /dashboard}), so the host's routes keep the host's (or Javalin's) behaviour: its HTML
 * pages are not given forge's strict CSP, its HEAD requests are not refused. The standalone
 * {@link ForgeServer} owns every path, so even a request for an unknown path gets a problem.
 *
 * <p>The route table answers "which methods would this path take?": forge answers 405 with
 * {@code Allow} for a wrong method on its own routes without turning on Javalin's app-wide
 * {@code prefer405over404}, which would change the host's 404s.
 */
final class ForgePaths {

    /** The prefixes forge serves; each owns the path itself and everything below it. */
    static final List<String> PREFIXES = List.of("/api", "/docs", "/openapi.json", "/metrics", "/dashboard");

    private static final Pattern PARAMETER = Pattern.compile("\\{[^/}]+}");

    private final boolean everyPath;
    private final List<RouteEntry> routes = new ArrayList<>();

    private ForgePaths(boolean everyPath) {
        this.everyPath = everyPath;
    }

    /** Forge's prefixes only: forge embedded in a host application. */
    static ForgePaths embedded() {
        return new ForgePaths(false);
    }

    /** Every path: forge is the whole application. */
    static ForgePaths wholeApplication() {
        return new ForgePaths(true);
    }

    /** True when forge answers for this request's path. */
    boolean owns(Context ctx) {
        return owns(pathInApplication(ctx));
    }

    /** True when forge answers for {@code path} (relative to the application's context path). */
    boolean owns(String path) {
        if (everyPath) {
            return true;
        }
        for (String prefix : PREFIXES) {
            if (path.equals(prefix) || path.startsWith(prefix + "/")) {
                return true;
            }
        }
        return false;
    }

    /** Records one of forge's routes; {@code template} uses Javalin's {@code {name}} parameters. */
    void add(HandlerType method, String template) {
        routes.add(new RouteEntry(method.name(), toPattern(template)));
    }

    /** The methods forge's routes take at this request's path; empty when no route matches it. */
    SortedSet<String> methodsAt(Context ctx) {
        String path = pathInApplication(ctx);
        SortedSet<String> methods = new TreeSet<>();
        for (RouteEntry route : routes) {
            if (route.pattern().matcher(path).matches()) {
                methods.add(route.method());
            }
        }
        return methods;
    }

    private static String pathInApplication(Context ctx) {
        String path = ctx.path();
        String contextPath = ctx.contextPath();
        if (contextPath != null && contextPath.length() > 1 && path.startsWith(contextPath)) {
            path = path.substring(contextPath.length());
        }
        return path.isEmpty() ? "/" : path;
    }

    private static Pattern toPattern(String template) {
        StringBuilder regex = new StringBuilder();
        Matcher parameter = PARAMETER.matcher(template);
        int last = 0;
        while (parameter.find()) {
            regex.append(Pattern.quote(template.substring(last, parameter.start()))).append("[^/]+");
            last = parameter.end();
        }
        regex.append(Pattern.quote(template.substring(last))).append("/?");
        return Pattern.compile(regex.toString());
    }

    private record RouteEntry(String method, Pattern pattern) {
    }
}
